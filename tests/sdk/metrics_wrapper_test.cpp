// tg::HostServices::count and observe (sink ABI 1.1): they reach the host's metric_add and
// metric_observe, and are no-ops on a host whose tg_host_services ends before those fields.
#include <tickets_grouping/sink.hpp>

#include <catch2/catch.hpp>

#include <cstddef>
#include <string>
#include <vector>

namespace {

struct Recorded {
    std::string kind, name, labels;
    double value = 0;
};

std::vector<Recorded>& recorded() {
    static std::vector<Recorded> calls;
    return calls;
}

void record_add(void*, tg_str name, tg_str labels, double value) {
    recorded().push_back(
        {"add", std::string(tg::view(name)), std::string(tg::view(labels)), value});
}

void record_observe(void*, tg_str name, tg_str labels, double value) {
    recorded().push_back(
        {"observe", std::string(tg::view(name)), std::string(tg::view(labels)), value});
}

tg_host_services services_with_size(uint32_t size) {
    tg_host_services services{};
    services.struct_size = size;
    services.abi_major = TG_SINK_ABI_MAJOR;
    services.abi_minor = size >= sizeof(tg_host_services) ? TG_SINK_ABI_MINOR : 0;
    // The pointers are set even for the "old" host: the wrapper must not read past struct_size.
    services.metric_add = &record_add;
    services.metric_observe = &record_observe;
    return services;
}

}  // namespace

TEST_CASE("count and observe reach a 1.1 host with the name, labels and value") {
    recorded().clear();
    const auto services = services_with_size(sizeof(tg_host_services));
    tg::HostServices host(&services);
    host.count("redmine_actions_total", "action=created");
    host.count("bytes_total", "", 2.5);
    host.observe("redmine_request_duration_seconds", "method=GET,status=200", 0.042);
    REQUIRE(recorded().size() == 3);
    CHECK(recorded()[0].kind == "add");
    CHECK(recorded()[0].name == "redmine_actions_total");
    CHECK(recorded()[0].labels == "action=created");
    CHECK(recorded()[0].value == 1.0);
    CHECK(recorded()[1].value == 2.5);
    CHECK(recorded()[2].kind == "observe");
    CHECK(recorded()[2].labels == "method=GET,status=200");
    CHECK(recorded()[2].value == 0.042);
}

TEST_CASE("count and observe are no-ops on a 1.0 host (struct_size without the metric fields)") {
    recorded().clear();
    const auto old_host = services_with_size(offsetof(tg_host_services, metric_add));
    tg::HostServices host(&old_host);
    host.count("redmine_actions_total", "action=created");
    host.observe("redmine_request_duration_seconds", "method=GET,status=200", 0.1);
    CHECK(recorded().empty());

    // A host with metric_add but not metric_observe: only count() is called.
    const auto partial = services_with_size(offsetof(tg_host_services, metric_observe));
    tg::HostServices partial_host(&partial);
    partial_host.count("x_total");
    partial_host.observe("y_seconds", "", 1);
    REQUIRE(recorded().size() == 1);
    CHECK(recorded()[0].name == "x_total");

    // No host at all.
    tg::HostServices none(nullptr);
    none.count("x_total");
    none.observe("y_seconds", "", 1);
    CHECK(recorded().size() == 1);
}
