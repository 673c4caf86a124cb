// An error in an operator's configuration, located: "routes.yaml:12:
// sinks.redmine.retry.max_backoff: ...", or with a column: "routes.yaml:14:23: ...".
#pragma once

#include <stdexcept>
#include <string>

namespace tg::host {

struct ConfigError : std::runtime_error {
    // Any of file, line (1-based; 0 = unknown) and key_path may be empty/0: that part is then left
    // out.
    // `column_` (1-based, 0 = unknown) is given where the problem has a place within the line.
    ConfigError(std::string file_, int line_, std::string key_path_, std::string problem_,
                int column_ = 0)
        : std::runtime_error(format(file_, line_, key_path_, problem_, column_)),
          file(std::move(file_)),
          line(line_),
          column(column_),
          key_path(std::move(key_path_)),
          problem(std::move(problem_)) {}

    std::string file;
    int line = 0;
    int column = 0;
    std::string key_path;
    std::string problem;

    static std::string format(const std::string& file, int line, const std::string& key_path,
                              const std::string& problem, int column = 0) {
        std::string out;
        const std::string at = line > 0 && column > 0
                                   ? std::to_string(line) + ":" + std::to_string(column)
                                   : std::to_string(line);
        if (!file.empty()) {
            out += file;
            if (line > 0) out += ":" + at;
            out += ": ";
        } else if (line > 0) {
            out += "line " + at + ": ";
        }
        if (!key_path.empty()) out += key_path + ": ";
        out += problem;
        return out;
    }
};

}  // namespace tg::host
