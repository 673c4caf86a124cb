// tg::HostServices::report_link (sink ABI 1.4): it reaches the host's report_link with the URL
// and the label, and is a no-op on a host whose tg_host_services ends before the field (1.3).
#include <tickets_grouping/sink.hpp>

#include <catch2/catch.hpp>

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

namespace {

std::vector<std::pair<std::string, std::string>>& reported() {
    static std::vector<std::pair<std::string, std::string>> links;
    return links;
}

void record_link(void*, tg_str url, tg_str label) {
    reported().emplace_back(std::string(tg::view(url)), std::string(tg::view(label)));
}

tg_host_services services_with_size(uint32_t size) {
    tg_host_services services{};
    services.struct_size = size;
    services.abi_major = TG_SINK_ABI_MAJOR;
    services.abi_minor = size >= sizeof(tg_host_services) ? TG_SINK_ABI_MINOR : 3;
    // Set even for the "old" host: the wrapper must not read past struct_size.
    services.report_link = &record_link;
    return services;
}

}  // namespace

TEST_CASE("issue 14: report_link reaches a 1.4 host with the URL and the label") {
    reported().clear();
    const auto services = services_with_size(sizeof(tg_host_services));
    tg::HostServices host(&services);
    host.report_link("http://redmine.example/issues/123", "#123 [Alert] HighCPU (server01)");
    REQUIRE(reported().size() == 1);
    CHECK(reported()[0].first == "http://redmine.example/issues/123");
    CHECK(reported()[0].second == "#123 [Alert] HighCPU (server01)");
}

TEST_CASE("issue 14: report_link is a no-op on a 1.3 host, and without services") {
    reported().clear();
    const auto old = services_with_size(offsetof(tg_host_services, report_link));
    tg::HostServices(&old).report_link("http://redmine.example/issues/1", "#1");
    tg::HostServices(nullptr).report_link("http://redmine.example/issues/2", "#2");
    auto without = services_with_size(sizeof(tg_host_services));
    without.report_link = nullptr;
    tg::HostServices(&without).report_link("http://redmine.example/issues/3", "#3");
    CHECK(reported().empty());
}
