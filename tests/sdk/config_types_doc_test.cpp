// sdk/README.md's table of which routing-file YAML values arrive as which JSON types, checked
// row by row against the host's own loader: the page cannot drift from what a sink receives.
#include "config/env.hpp"
#include "config/routing_loader.hpp"

#include "test_support.hpp"

#include <nlohmann/json.hpp>

#include <catch2/catch.hpp>

#include <sstream>
#include <string>
#include <vector>

namespace {

struct Row {
    std::string yaml, json;
};

// The first `code span` of a table cell.
std::string first_code(const std::string& cell) {
    const auto open = cell.find('`');
    const auto close = cell.find('`', open + 1);
    return open == std::string::npos || close == std::string::npos
               ? ""
               : cell.substr(open + 1, close - open - 1);
}

// The rows of the first table under the README's "## Config values: YAML in, JSON out".
std::vector<Row> readme_rows() {
    std::istringstream readme(
        tg::test::read_file(std::string(TG_TEST_SDK_SOURCE_DIR) + "/README.md"));
    std::vector<Row> rows;
    bool in_section = false;
    for (std::string line; std::getline(readme, line);) {
        if (line.rfind("## ", 0) == 0) in_section = line == "## Config values: YAML in, JSON out";
        if (!in_section) continue;
        if (line.rfind("|", 0) != 0 && !rows.empty()) break;  // the end of the first table
        if (line.rfind("| `", 0) != 0) continue;
        const auto second = line.find(" | ", 2);
        if (second == std::string::npos) continue;
        rows.push_back({first_code(line.substr(0, second)), first_code(line.substr(second + 3))});
    }
    return rows;
}

}  // namespace

TEST_CASE("the README's YAML-to-JSON table is what the host hands a sink") {
    tg::host::Environment env;
    env.set("PORT", "8080");  // the table's example variable
    const auto rows = readme_rows();
    CHECK(rows.size() >= 20);
    for (const auto& row : rows) {
        INFO(row.yaml << "  ->  " << row.json);
        const std::string routes =
            "sinks:\n  s:\n    plugin: x\n    config:\n      " + row.yaml + "\nroute:\n  sink: s\n";
        const auto config = tg::host::load_routing_text(routes, "routes.yaml", env);
        REQUIRE(config.sinks.size() == 1);
        const auto received = nlohmann::json::parse(config.sinks[0].config_json);
        REQUIRE(received.size() == 1);
        // dump() tells 1000 from 1000.0 and "1000": the type, not just the value.
        CHECK(received.begin().value().dump() == nlohmann::json::parse(row.json).dump());
    }
}
