// The command line of tickets-grouping.
#pragma once

#include "config/usage_error.hpp"

#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace tg::host {

struct Options {
    std::optional<std::string> config_file;
    std::optional<std::string> env_file;
    std::optional<std::string> listen;
    std::optional<std::string> state_dir;
    std::optional<std::string> store;  // sqlite:PATH or postgresql://...
    std::optional<std::string> log_level;
    bool check_config = false;
    std::optional<std::string> run_hook;  // SINK:HOOK
    std::optional<std::string> replay_file;
    bool dry_run = false;
    // `dead-letters list|show|retry|discard ...` or `routes test LABEL=VALUE...`: the words
    // after the options' names.
    std::vector<std::string> command;
    std::optional<std::string> cases_file;  // --file CASES.yaml, for routes test
    std::optional<std::string> sink;        // --sink NAME, for dead-letters
    bool json = false;                      // --json, for dead-letters list and show
    bool all = false;                       // --all, for dead-letters retry and discard
    bool help = false;
    bool version = false;
};

Options parse_options(const std::vector<std::string>& args);  // throws UsageError
std::string usage_text();

}  // namespace tg::host
