// Finds and loads sink plugins with Boost.DLL, and checks their ABI before anything is called.
// A plugin is loaded once per process and never unloaded: objects it created may outlive any
// configuration that used it, and a g++-built module is not really unmapped anyway.
#pragma once

#include <tickets_grouping/sink_abi.h>

#include <stdexcept>
#include <string>
#include <vector>

namespace tg::host {

struct PluginError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// `name_or_path` is a path when it contains a '/', else a plugin name looked up as
// <dir>/<name>.so in `search_dirs`. Throws PluginError listing the places tried.
std::string find_plugin(const std::string& name_or_path,
                        const std::vector<std::string>& search_dirs);

// Loads (once) the plugin at `path` and returns its table, ABI-checked.
const tg_sink_plugin* load_plugin(const std::string& path);

// Throws PluginError unless `table` speaks this host's ABI major with every v1.0 field present.
void check_plugin_abi(const tg_sink_plugin* table, const std::string& path);

// The directories searched after the routing file's own: next to an installed binary, or the
// build tree's when the binary runs from there.
std::vector<std::string> default_plugin_dirs();

}  // namespace tg::host
