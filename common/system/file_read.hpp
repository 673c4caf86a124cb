// Reading a whole file an operator named, with the reason when it cannot be read: the system's
// words and the errno name ("Permission denied (EACCES)"), which is what one searches for.
#pragma once

#include <cstddef>
#include <optional>
#include <string>

namespace tg::common {

// "No such file or directory (ENOENT)" for ENOENT.
std::string errno_text(int error);

struct FileRead {
    std::optional<std::string> content;  // empty when the file could not be read
    std::string error;                   // then why, as errno_text() says it
};

// Reads `path` whole. A directory is an error (EISDIR), not an empty file.
FileRead read_whole_file(const std::string& path);

// Reads at most the first `bytes` of `path` (fewer when the file is shorter), with the same
// errors as read_whole_file().
FileRead read_file_head(const std::string& path, size_t bytes);

}  // namespace tg::common
