// The things the binary can do; each returns the process exit code.
#pragma once

#include "app/configuration.hpp"

namespace tg::host {

// Serves until SIGTERM/SIGINT; SIGHUP and POST /-/reload re-read the files named in `options`.
int serve(const Options& options, const Configuration& configuration);
int check_config(const Configuration& configuration);
int run_hook_now(const Configuration& configuration, const std::string& sink_and_hook,
                 bool dry_run);
int replay(const Configuration& configuration, const std::string& file, bool dry_run);
// dead-letters list|show|retry|discard (options.command, checked by parse_options).
int dead_letters(const Configuration& configuration, const Options& options);
// routes test LABEL=VALUE... | --file CASES.yaml (options.command, checked by parse_options).
int routes_test(const Configuration& configuration, const Options& options);

}  // namespace tg::host
