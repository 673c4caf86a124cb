#include <catch2/catch.hpp>

#include "config/config_error.hpp"
#include "config/yaml_json.hpp"

using namespace tg::host;

namespace {

std::string conv(const std::string& yaml, const Environment& env = Environment()) {
    return yaml_to_json(YAML::Load(yaml), env, "t.yaml", "config");
}

}  // namespace

TEST_CASE("yaml_json: plain scalars are typed, quoted ones stay strings", "[yaml_json]") {
    CHECK(conv("a: true") == R"({"a":true})");
    CHECK(conv("a: [true, True, TRUE, false, False, FALSE]") ==
          R"({"a":[true,true,true,false,false,false]})");
    CHECK(conv("a: \"false\"") == R"({"a":"false"})");
    CHECK(conv("a: 'true'") == R"({"a":"true"})");
    CHECK(conv("a: 5") == R"({"a":5})");
    CHECK(conv("a: \"5\"") == R"({"a":"5"})");
    CHECK(conv("a: [-12, +7, 007, 0x1F, 0o17]") == R"({"a":[-12,7,7,31,15]})");
    CHECK(conv("a: [1.5, -0.25, .5, 1e3, 2.]") == R"({"a":[1.5,-0.25,0.5,1000,2]})");
    CHECK(conv("a: ~") == R"({"a":null})");
    CHECK(conv("a: [~, null, Null, NULL]") == R"({"a":[null,null,null,null]})");
    CHECK(conv("a:") == R"({"a":null})");
    CHECK(conv("a: \"~\"") == R"({"a":"~"})");
    CHECK(conv("a: [yes, no, on, off]") == R"({"a":["yes","no","on","off"]})");  // YAML 1.2
    CHECK(conv("a: [.inf, .nan, 1.2.3, 12abc, 0x, 99999999999999999999]") ==
          R"({"a":[".inf",".nan","1.2.3","12abc","0x","99999999999999999999"]})");
    CHECK(conv("a: !!str 5") == R"({"a":"5"})");
    CHECK(conv("a: |\n  line1\n  true\n") == R"({"a":"line1\ntrue\n"})");
    CHECK(conv("a: 障害 \"引用\"") == R"({"a":"障害 \"引用\""})");
    CHECK(conv("a: \"tab\\there\\u0001\"") == R"({"a":"tab\there\u0001"})");
}

TEST_CASE("yaml_json: nesting", "[yaml_json]") {
    CHECK(conv("url: https://x\nprojects:\n  - id: 1\n    name: ops\n    tags: [a, 'b']\n"
               "  - {id: 2, close: false}\nempty_map: {}\nempty_list: []\n") ==
          R"({"url":"https://x","projects":[{"id":1,"name":"ops","tags":["a","b"]},)"
          R"({"id":2,"close":false}],"empty_map":{},"empty_list":[]})");
    CHECK(conv("[1, [2, [3]]]") == "[1,[2,[3]]]");
    CHECK(conv("plain") == "\"plain\"");
    CHECK(conv("") == "null");
    CHECK(conv("\"5\": x\n6: y") == R"({"5":"x","6":"y"})");  // keys are strings
}

TEST_CASE("yaml_json: ${VAR} expansion happens before typing", "[yaml_json]") {
    Environment env;
    env.set("PORT", "8080");
    env.set("FLAG", "false");
    env.set("URL", "https://r.example.com");
    CHECK(conv("a: ${PORT}\nb: \"${PORT}\"\nc: ${FLAG}\nd: ${URL}/x\ne: ${NONE:-}\n"
               "f: \"$${NOT_EXPANDED}\"",
               env) == R"({"a":8080,"b":"8080","c":false,"d":"https://r.example.com/x","e":null,)"
                       R"("f":"${NOT_EXPANDED}"})");
    try {
        conv("x: 1\nnested:\n  list:\n    - ok\n    - ${NOPE}\n", env);
        FAIL("no exception");
    } catch (const ConfigError& e) {
        CHECK_THAT(e.what(), Catch::StartsWith("t.yaml:5: config.nested.list[1]: "));
        CHECK_THAT(e.what(), Catch::Contains("NOPE"));
    }
}

TEST_CASE("yaml_json: duplicate keys are errors", "[yaml_json]") {
    CHECK_THROWS_WITH(conv("a: 1\nb: 2\na: 3\n"),
                      Catch::StartsWith("t.yaml:3: config.a: duplicate key"));
}

TEST_CASE("plain_scalar_json", "[yaml_json]") {
    CHECK(plain_scalar_json("0") == "0");
    CHECK(plain_scalar_json("-0") == "0");
    CHECK(plain_scalar_json("1e999") == std::nullopt);
    CHECK(plain_scalar_json("-9223372036854775808") == "-9223372036854775808");
    CHECK(plain_scalar_json("18446744073709551615") == "18446744073709551615");
    CHECK(plain_scalar_json("abc") == std::nullopt);
}
