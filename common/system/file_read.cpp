#include "system/file_read.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <limits>

namespace tg::common {

std::string errno_text(int error) {
    const char* name = ::strerrorname_np(error);
    std::string text = std::strerror(error);
    if (name) text += std::string(" (") + name + ")";
    return text;
}

namespace {

FileRead read_file(const std::string& path, size_t limit) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return {std::nullopt, errno_text(errno)};
    FileRead result{std::string(), ""};
    struct stat st {};
    if (::fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
        ::close(fd);
        return {std::nullopt, errno_text(EISDIR)};
    }
    char buffer[65536];
    for (;;) {
        const size_t want = std::min(sizeof buffer, limit - result.content->size());
        if (want == 0) break;
        const ssize_t n = ::read(fd, buffer, want);
        if (n == 0) break;
        if (n < 0) {
            if (errno == EINTR) continue;
            result = {std::nullopt, errno_text(errno)};
            break;
        }
        result.content->append(buffer, static_cast<size_t>(n));
    }
    ::close(fd);
    return result;
}

}  // namespace

FileRead read_whole_file(const std::string& path) {
    return read_file(path, std::numeric_limits<size_t>::max());
}

FileRead read_file_head(const std::string& path, size_t bytes) { return read_file(path, bytes); }

}  // namespace tg::common
