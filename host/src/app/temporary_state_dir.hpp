// A fresh state directory under $TMPDIR, removed with this object: sinks created there to check
// a configuration (--check-config, a reload's changed sinks) never touch a live sink's state.
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <stdexcept>
#include <string>
#include <system_error>

namespace tg::host {

class TemporaryStateDir {
  public:
    TemporaryStateDir() {
        std::string pattern =
            (std::filesystem::temp_directory_path() / "tickets-grouping-check-XXXXXX").string();
        if (!::mkdtemp(pattern.data()))
            throw std::runtime_error("cannot create a temporary state directory");
        path_ = pattern;
    }
    ~TemporaryStateDir() {
        std::error_code ignored;
        std::filesystem::remove_all(path_, ignored);
    }
    TemporaryStateDir(const TemporaryStateDir&) = delete;
    TemporaryStateDir& operator=(const TemporaryStateDir&) = delete;
    const std::string& path() const { return path_; }

  private:
    std::string path_;
};

}  // namespace tg::host
