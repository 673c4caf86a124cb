// What a one-shot command printed, and its exit code: printed by the command line, or sent back
// by the running host that ran it (POST /-/run-hook, /-/replay).
#pragma once

#include <string>

namespace tg::host {

struct CommandOutput {
    int exit_code = 0;
    std::string out;
    std::string err;
};

}  // namespace tg::host
