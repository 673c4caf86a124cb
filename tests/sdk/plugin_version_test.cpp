// The plugins of this repository report the project's version (CMake PROJECT_VERSION), not a
// number written in their source.
#include "test_support.hpp"

#include <tickets_grouping/sink_abi.h>

#include <catch2/catch.hpp>

#include <dlfcn.h>
#include <filesystem>
#include <string>

TEST_CASE("log_sink and redmine_grouping carry the project's version") {
    int found = 0;
    for (const char* name : {"log_sink", "redmine_grouping"}) {
        const std::string path = tg::test::plugin_dir() + "/" + name + ".so";
        if (!std::filesystem::exists(path) && std::string(name) == "redmine_grouping")
            continue;  // TG_SKIP_REDMINE_PLUGIN
        INFO(path);
        // Loaded once and never unloaded, as the host does.
        void* handle = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
        INFO((handle ? "" : ::dlerror()));
        REQUIRE(handle);
        auto entry = reinterpret_cast<tg_sink_entry_fn>(::dlsym(handle, TG_SINK_ENTRY_SYMBOL));
        REQUIRE(entry);
        CHECK(std::string(entry()->plugin_name) == name);
        CHECK(std::string(entry()->plugin_version) == TG_TEST_PROJECT_VERSION);
        ++found;
    }
    CHECK(found >= 1);
}
