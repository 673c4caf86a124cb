// An error in an operator's configuration, located: "routes.yaml:12:
// sinks.redmine.retry.max_backoff: ...".
#pragma once

#include <stdexcept>
#include <string>

namespace tg::host {

struct ConfigError : std::runtime_error {
    // Any of file, line (1-based; 0 = unknown) and key_path may be empty/0: that part is then left
    // out.
    ConfigError(std::string file_, int line_, std::string key_path_, std::string problem_)
        : std::runtime_error(format(file_, line_, key_path_, problem_)),
          file(std::move(file_)),
          line(line_),
          key_path(std::move(key_path_)),
          problem(std::move(problem_)) {}

    std::string file;
    int line = 0;
    std::string key_path;
    std::string problem;

    static std::string format(const std::string& file, int line, const std::string& key_path,
                              const std::string& problem) {
        std::string out;
        if (!file.empty()) {
            out += file;
            if (line > 0) out += ":" + std::to_string(line);
            out += ": ";
        } else if (line > 0) {
            out += "line " + std::to_string(line) + ": ";
        }
        if (!key_path.empty()) out += key_path + ": ";
        out += problem;
        return out;
    }
};

}  // namespace tg::host
