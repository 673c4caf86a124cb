#include "app/options.hpp"

namespace tg::host {

std::string usage_text() {
    return R"(Usage: tickets-grouping [OPTIONS]

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
  --dry-run            with --run-hook or --replay: show what would change, change nothing
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
        else if (arg == "--help" || arg == "-h")
            options.help = flag();
        else if (arg == "--version")
            options.version = flag();
        else
            throw UsageError("unknown option " + arg);
    }
    if (options.dry_run && !options.run_hook && !options.replay_file)
        throw UsageError("--dry-run goes with --run-hook or --replay");
    if (options.run_hook && options.run_hook->find(':') == std::string::npos)
        throw UsageError("--run-hook takes SINK:HOOK, e.g. redmine:carry_over");
    return options;
}

}  // namespace tg::host
