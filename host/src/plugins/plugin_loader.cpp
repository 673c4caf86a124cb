#include "plugins/plugin_loader.hpp"

#include <boost/dll/runtime_symbol_info.hpp>
#include <boost/dll/shared_library.hpp>

#include "system/file_read.hpp"

#include <cstddef>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>

namespace tg::host {
namespace {

// Size of the v1.0 table: the last field every 1.x plugin must have.
constexpr size_t v1_table_size = offsetof(tg_sink_plugin, check) + sizeof(tg_sink_plugin::check);

std::string version_text(uint32_t major, uint32_t minor) {
    return std::to_string(major) + "." + std::to_string(minor);
}

// Before dlopen(): Boost reports any failure as "... (dlerror system message: ...): Bad file
// descriptor", which sends an operator who named a script or a directory the wrong way.
void check_shared_object_file(const std::string& path) {
    const auto file = common::read_file_head(path, 4);
    if (!file.content) throw PluginError("cannot read plugin " + path + ": " + file.error);
    if (*file.content !=
        "\x7f"
        "ELF")
        throw PluginError("plugin " + path +
                          " is not a shared library (no ELF header): give the sink's .so file");
}

// dlerror()'s own words, without Boost's wrapping and its unrelated errno.
std::string loader_reason(const std::string& what) {
    static const std::string marker = "dlerror system message: ";
    const auto start = what.find(marker);
    if (start == std::string::npos) return what;
    const auto begin = start + marker.size();
    const auto end = what.rfind("):");
    return what.substr(begin,
                       end == std::string::npos || end < begin ? std::string::npos : end - begin);
}

}  // namespace

std::vector<std::string> default_plugin_dirs() {
    std::vector<std::string> dirs;
    std::filesystem::path exe_dir;
    try {
        exe_dir = boost::dll::program_location().parent_path().string();
    } catch (const std::exception&) {
    }
    const std::filesystem::path build_bin_dir = TG_BUILD_BIN_DIR;
    std::error_code ec;
    if (!exe_dir.empty() && std::filesystem::equivalent(exe_dir, build_bin_dir, ec)) {
        dirs.push_back(TG_BUILD_PLUGIN_DIR);
        return dirs;
    }
    if (!exe_dir.empty())  // an installed tree that was moved keeps its layout
        dirs.push_back((exe_dir.parent_path() / TG_INSTALL_PLUGIN_SUBDIR).string());
    dirs.push_back(TG_INSTALL_PLUGIN_DIR);
    return dirs;
}

std::string find_plugin(const std::string& name_or_path,
                        const std::vector<std::string>& search_dirs) {
    if (name_or_path.find('/') != std::string::npos) {
        if (!std::filesystem::exists(name_or_path))
            throw PluginError("plugin file " + name_or_path + " does not exist");
        return name_or_path;
    }
    std::string tried;
    for (const auto& dir : search_dirs) {
        auto candidate = std::filesystem::path(dir) / (name_or_path + ".so");
        if (std::filesystem::exists(candidate)) return candidate.string();
        tried += (tried.empty() ? "" : ", ") + candidate.string();
    }
    throw PluginError("plugin '" + name_or_path + "' not found (tried " + tried + ")");
}

void check_plugin_abi(const tg_sink_plugin* table, const std::string& path) {
    if (!table)
        throw PluginError("plugin " + path + ": " TG_SINK_ENTRY_SYMBOL " returned no table");
    if (table->struct_size < offsetof(tg_sink_plugin, abi_minor) + sizeof(uint32_t))
        throw PluginError("plugin " + path + ": its table is too small to be a sink plugin (" +
                          std::to_string(table->struct_size) + "-byte table, sink ABI " +
                          version_text(TG_SINK_ABI_MAJOR, TG_SINK_ABI_MINOR) + " needs at least " +
                          std::to_string(v1_table_size) + ")");
    if (table->abi_major != TG_SINK_ABI_MAJOR)
        throw PluginError("plugin " + path + " was built for sink ABI " +
                          version_text(table->abi_major, table->abi_minor) +
                          ", this host speaks sink ABI " +
                          version_text(TG_SINK_ABI_MAJOR, TG_SINK_ABI_MINOR) +
                          ": rebuild it against this host's SDK");
    if (table->struct_size < v1_table_size)
        throw PluginError("plugin " + path + " (sink ABI " +
                          version_text(table->abi_major, table->abi_minor) + ") has a " +
                          std::to_string(table->struct_size) + "-byte table, sink ABI " +
                          version_text(TG_SINK_ABI_MAJOR, TG_SINK_ABI_MINOR) + " needs at least " +
                          std::to_string(v1_table_size));
    if (!table->create || !table->destroy || !table->deliver)
        throw PluginError("plugin " + path + " lacks create, destroy or deliver");
}

const tg_sink_plugin* load_plugin(const std::string& path) {
    static std::mutex mutex;
    // Never unloaded: see the header.
    static auto* loaded =
        new std::map<std::string, std::pair<boost::dll::shared_library, const tg_sink_plugin*>>;
    std::lock_guard lock(mutex);
    const std::string key = std::filesystem::weakly_canonical(path).string();
    if (auto it = loaded->find(key); it != loaded->end()) return it->second.second;
    check_shared_object_file(path);
    boost::dll::shared_library library;
    try {
        library.load(key, boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local);
    } catch (const std::exception& e) {
        throw PluginError("cannot load plugin " + path + ": " + loader_reason(e.what()));
    }
    if (!library.has(TG_SINK_ENTRY_SYMBOL))
        throw PluginError("plugin " + path +
                          " does not export " TG_SINK_ENTRY_SYMBOL
                          " (is it a tickets-grouping sink?)");
    auto entry = library.get<const tg_sink_plugin*()>(TG_SINK_ENTRY_SYMBOL);
    const tg_sink_plugin* table = entry();
    check_plugin_abi(table, path);
    loaded->emplace(key, std::make_pair(std::move(library), table));
    return table;
}

}  // namespace tg::host
