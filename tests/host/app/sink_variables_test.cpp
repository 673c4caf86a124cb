// The env-file twins of the default routing's sink settings (configuration.cpp
// apply_sink_variables): REDMINE_CONCURRENCY.
#include "app/configuration.hpp"
#include "config/config_error.hpp"

#include <catch2/catch.hpp>

using namespace tg::host;

TEST_CASE("REDMINE_CONCURRENCY sets the default routing's sink concurrency, 4 when unset") {
    SinkConfig sink = default_routing().sinks.front();
    Environment env;
    apply_sink_variables(env, sink);
    CHECK(sink.concurrency == 4);
    env.set("REDMINE_CONCURRENCY", "1");
    apply_sink_variables(env, sink);
    CHECK(sink.concurrency == 1);
    env.set("REDMINE_CONCURRENCY", "16");
    apply_sink_variables(env, sink);
    CHECK(sink.concurrency == 16);
    for (const char* bad : {"0", "65", "four", "", "4x", "-1"}) {
        env.set("REDMINE_CONCURRENCY", bad);
        CHECK_THROWS_WITH(apply_sink_variables(env, sink),
                          Catch::Contains("REDMINE_CONCURRENCY") &&
                              Catch::Contains("expected an integer from 1 to 64"));
    }
}
