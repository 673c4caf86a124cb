#include "app/options.hpp"

#include <algorithm>
#include <cctype>

namespace tg::host {
namespace {

bool is_id(const std::string& word) {
    return !word.empty() && word.size() < 19 &&
           word.find_first_not_of("0123456789") == std::string::npos;
}

void check_dead_letters_command(const Options& options) {
    const auto& words = options.command;
    const std::string verb = words.size() > 1 ? words[1] : "";
    const std::vector<std::string> ids(words.begin() + std::min<size_t>(2, words.size()),
                                       words.end());
    for (const auto& id : ids)
        if (!is_id(id)) throw UsageError("dead-letters " + verb + ": '" + id + "' is not an id");
    if (options.check_config || options.run_hook || options.replay_file)
        throw UsageError("dead-letters goes alone, without --check-config, --run-hook or --replay");
    if (verb == "list") {
        if (!ids.empty() || options.all)
            throw UsageError("dead-letters list takes --sink NAME and --json, no ids");
    } else if (verb == "show") {
        if (ids.size() != 1 || options.all || options.sink)
            throw UsageError("dead-letters show takes one ID");
    } else if (verb == "retry" || verb == "discard") {
        if (options.json) throw UsageError("dead-letters " + verb + " has no --json");
        if (ids.empty() && !options.all)
            throw UsageError("dead-letters " + verb + " needs the ids, or --all");
        if (!ids.empty() && options.all)
            throw UsageError("dead-letters " + verb + " takes ids or --all, not both");
        if (verb == "discard" && options.all && !options.sink)
            throw UsageError("dead-letters discard --all needs --sink NAME");
    } else {
        throw UsageError(verb.empty() ? "dead-letters needs list, show, retry or discard"
                                      : "dead-letters has no command '" + verb +
                                            "' (list, show, retry, discard)");
    }
    if (options.dry_run && verb != "retry")
        throw UsageError("--dry-run goes with --run-hook, --replay or dead-letters retry");
}

// A Prometheus label name: what Alertmanager accepts.
bool is_label_name(const std::string& name) {
    if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0]))) return false;
    return std::all_of(name.begin(), name.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
    });
}

void check_routes_command(const Options& options) {
    const auto& words = options.command;
    if (words.size() < 2 || words[1] != "test")
        throw UsageError(words.size() < 2 ? "routes needs test"
                                          : "routes has no command '" + words[1] + "' (test)");
    for (size_t i = 2; i < words.size(); ++i) {
        const auto eq = words[i].find('=');
        if (eq == std::string::npos || !is_label_name(words[i].substr(0, eq)))
            throw UsageError("routes test: '" + words[i] +
                             "' is not LABEL=VALUE (a label name is letters, digits and _, not "
                             "starting with a digit)");
    }
    if (options.cases_file && words.size() > 2)
        throw UsageError("routes test takes LABEL=VALUE... or --file CASES.yaml, not both");
    if (!options.cases_file && words.size() == 2)
        throw UsageError("routes test needs LABEL=VALUE... (e.g. alertname=HighCPU) or --file");
    if (options.check_config || options.run_hook || options.replay_file || options.dry_run ||
        options.sink || options.json || options.all)
        throw UsageError(
            "routes test takes only --file besides --config, --env-file and "
            "--state-dir (it is a dry run already)");
}

}  // namespace

std::string usage_text() {
    return R"(Usage: tickets-grouping [OPTIONS]
       tickets-grouping [OPTIONS] dead-letters list [--sink NAME] [--json]
       tickets-grouping [OPTIONS] dead-letters show ID [--json]
       tickets-grouping [OPTIONS] dead-letters retry ID...|--all [--sink NAME] [--dry-run]
       tickets-grouping [OPTIONS] dead-letters discard ID...|--all --sink NAME
       tickets-grouping [OPTIONS] routes test LABEL=VALUE...|--file CASES.yaml

Receives Alertmanager webhooks on POST /webhook and routes every alert to the sinks of a
routing file. Without --config, the REDMINE_* variables (environment or --env-file) configure
one redmine_grouping sink named "redmine" that receives every alert.

Options:
  --config FILE        routing file (YAML)
  --env-file FILE      KEY=value file (the format of systemd's EnvironmentFile=)
  --listen ADDR:PORT   listen address (default 0.0.0.0:5005)
  --state-dir DIR      spool and sink state (default $STATE_DIRECTORY, else ./state)
  --store URL          where the spool is: sqlite:PATH (default sqlite:STATE_DIR/spool.sqlite3)
                       or postgresql://USER@HOST:PORT/DB?password_file=FILE, shared by replicas
                       with the Redmine sink's state (the password from password_file, else
                       PGPASSWORD)
  --log-level LEVEL    debug, info, warn or error (default info)
  --check-config       load the configuration and plugins, let each sink check its settings
  --run-hook SINK:HOOK run a sink's scheduled hook now (e.g. redmine:carry_over)
  --replay FILE        send a saved webhook body through the routes and deliver it now
  --dry-run            with --run-hook, --replay or dead-letters retry: show what would
                       change, change nothing
  --sink NAME          with dead-letters: only that sink's
  --json               with dead-letters list or show: JSON
  --all                with dead-letters retry or discard: every dead letter (of --sink)
  --file CASES.yaml    with routes test: the cases to check (labels, expected sinks and what
                       each sink says it would do); exits 1 on a mismatch
  --version            print the version
  --help               print this help
)";
}

Options parse_options(const std::vector<std::string>& args) {
    Options options;
    for (size_t i = 0; i < args.size(); ++i) {
        std::string arg = args[i];
        std::optional<std::string> inline_value;
        if (auto eq = arg.find('='); arg.rfind("--", 0) == 0 && eq != std::string::npos) {
            inline_value = arg.substr(eq + 1);
            arg = arg.substr(0, eq);
        }
        auto value = [&]() -> std::string {
            if (inline_value) return *inline_value;
            if (i + 1 >= args.size()) throw UsageError(arg + " needs a value");
            return args[++i];
        };
        auto flag = [&] {
            if (inline_value) throw UsageError(arg + " takes no value");
            return true;
        };
        if (arg == "--config")
            options.config_file = value();
        else if (arg == "--env-file")
            options.env_file = value();
        else if (arg == "--listen")
            options.listen = value();
        else if (arg == "--state-dir")
            options.state_dir = value();
        else if (arg == "--store")
            options.store = value();
        else if (arg == "--log-level")
            options.log_level = value();
        else if (arg == "--run-hook")
            options.run_hook = value();
        else if (arg == "--replay")
            options.replay_file = value();
        else if (arg == "--check-config")
            options.check_config = flag();
        else if (arg == "--dry-run")
            options.dry_run = flag();
        else if (arg == "--sink")
            options.sink = value();
        else if (arg == "--json")
            options.json = flag();
        else if (arg == "--all")
            options.all = flag();
        else if (arg == "--file")
            options.cases_file = value();
        else if (!arg.starts_with("-") &&
                 (!options.command.empty() || arg == "dead-letters" || arg == "routes"))
            options.command.push_back(arg);
        else if (arg == "--help" || arg == "-h")
            options.help = flag();
        else if (arg == "--version")
            options.version = flag();
        else if (!arg.starts_with("-"))
            throw UsageError("unknown command " + arg + " (the commands: dead-letters, routes)");
        else
            throw UsageError("unknown option " + arg);
    }
    if (!options.command.empty() && options.command[0] == "routes") {
        check_routes_command(options);
        return options;
    }
    if (options.cases_file) throw UsageError("--file goes with routes test");
    if (!options.command.empty()) {
        check_dead_letters_command(options);
    } else if (options.sink || options.json || options.all) {
        throw UsageError("--sink, --json and --all go with dead-letters");
    }
    if (options.dry_run && !options.run_hook && !options.replay_file && options.command.empty())
        throw UsageError("--dry-run goes with --run-hook, --replay or dead-letters retry");
    if (options.run_hook && options.run_hook->find(':') == std::string::npos)
        throw UsageError("--run-hook takes SINK:HOOK, e.g. redmine:carry_over");
    return options;
}

}  // namespace tg::host
