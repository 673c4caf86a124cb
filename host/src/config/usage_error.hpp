// A command line, or a setting given on it, that the host cannot use: the operator is told, with
// a pointer to --help, and the process exits 2. Thrown below app/ too (http/ for --listen).
#pragma once

#include <stdexcept>

namespace tg::host {

struct UsageError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

}  // namespace tg::host
