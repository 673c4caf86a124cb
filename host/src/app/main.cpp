#include "app/commands.hpp"
#include "app/options.hpp"
#include "config/config_error.hpp"
#include "observability/log.hpp"
#include "plugins/plugin_loader.hpp"
#include "spool/spool.hpp"

#include <iostream>

int main(int argc, char** argv) {
    using namespace tg::host;
    try {
        const Options options = parse_options(std::vector<std::string>(argv + 1, argv + argc));
        if (options.help) {
            std::cout << usage_text();
            return 0;
        }
        if (options.version) {
            std::cout << "tickets-grouping " << TG_VERSION << " (sink ABI " << TG_SINK_ABI_MAJOR
                      << '.' << TG_SINK_ABI_MINOR << ")\n";
            return 0;
        }
        if (options.log_level) {
            log::Level level;
            if (!log::parse_level(*options.log_level, level))
                throw UsageError("--log-level takes debug, info, warn or error");
            log::set_level(level);
        }
        const Configuration configuration = load_configuration(options);
        if (!options.command.empty() && options.command[0] == "routes")
            return routes_test(configuration, options);
        if (!options.command.empty()) return dead_letters(configuration, options);
        if (options.check_config) return check_config(configuration);
        if (options.run_hook)
            return run_hook_now(configuration, *options.run_hook, options.dry_run);
        if (options.replay_file)
            return replay(configuration, *options.replay_file, options.dry_run);
        return serve(options, configuration);
    } catch (const UsageError& e) {
        std::cerr << "tickets-grouping: " << e.what() << "\n(see tickets-grouping --help)\n";
        return 2;
    } catch (const ConfigError& e) {
        std::cerr << "tickets-grouping: configuration error: " << e.what() << '\n';
        return 1;
    } catch (const std::exception& e) {
        // A store, plugin or listener that cannot start: the operator reads it as a sentence
        // (journalctl, a terminal), like the configuration errors above.
        std::cerr << "tickets-grouping: " << e.what() << '\n';
        return 1;
    }
}
