#include "natural_order.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <vector>

using tg::redmine::natural_less;

TEST_CASE("host names in natural order: node2 before node10", "[text]") {
    std::vector<std::string> hosts{"node10",  "node2",         "node1",         "db01:9100",
                                   "node02b", "node02a",       "db1:9100",      "",
                                   "node",    "web-3.example", "web-12.example"};
    std::sort(hosts.begin(), hosts.end(), natural_less);
    CHECK(hosts == std::vector<std::string>{"", "db01:9100", "db1:9100", "node", "node1", "node2",
                                            "node02a", "node02b", "node10", "web-3.example",
                                            "web-12.example"});
    CHECK_FALSE(natural_less("node7", "node7"));
    CHECK(natural_less("a9", "a10"));
    CHECK_FALSE(natural_less("a10", "a9"));
    CHECK(natural_less("99999999999999999999998", "99999999999999999999999"));  // no overflow
}
