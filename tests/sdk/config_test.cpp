// tickets_grouping/config.hpp: typed getters that fail with the key's name, and unknown keys.
#include <tickets_grouping/config.hpp>

#include <catch2/catch.hpp>

#include <string>

using namespace std::chrono_literals;

namespace {

// The message a getter throws, or "no error".
template <class F>
std::string error_of(F&& get) {
    try {
        get();
    } catch (const tg::ConfigError& e) {
        return e.what();
    }
    return "no error";
}

}  // namespace

TEST_CASE("a required string") {
    const tg::Config config(R"({"dir": "/var/log/alerts", "empty": "", "number": 200})",
                            "file_sink");
    CHECK(config.string("dir") == "/var/log/alerts");
    CHECK(error_of([&] { config.string("missing"); }) ==
          "file_sink: config key 'missing' is required (a string)");
    CHECK(error_of([&] { config.string("empty"); }) ==
          "file_sink: config key 'empty' must not be empty");
    CHECK(error_of([&] { config.string("number"); }) ==
          "file_sink: config key 'number' must be a string, got the number 200");
    CHECK(config.string("missing", "fallback") == "fallback");
    CHECK(config.string("empty", "fallback").empty());  // given, even if empty
}

TEST_CASE("an optional integer: a YAML 200 is a number, \"200\" a string") {
    const tg::Config config(
        R"({"max_bytes": 200, "quoted": "200", "float": 1.5, "negative": -3, "null": null,)"
        R"( "huge": 18446744073709551615})",
        "file_sink");
    CHECK(config.integer("max_bytes") == 200);
    CHECK(config.integer("negative", 7) == -3);
    CHECK_FALSE(config.integer("missing").has_value());
    CHECK(config.integer("missing", 7) == 7);
    CHECK(config.integer("null", 7) == 7);  // `null:` with no value is absent
    CHECK(error_of([&] { config.integer("quoted"); }) ==
          "file_sink: config key 'quoted' must be an integer, got the string \"200\"");
    CHECK(error_of([&] { config.integer("float"); }) ==
          "file_sink: config key 'float' must be an integer, got the number 1.5");
    CHECK(error_of([&] { config.integer("huge"); }) ==
          "file_sink: config key 'huge' is too large, got the number 18446744073709551615");
}

TEST_CASE("a duration in the routing file's syntax") {
    const tg::Config config(
        R"({"timeout": "1h30m", "zero": 0, "zero_text": "0", "bad": "5x", "number": 30})", "s");
    CHECK(config.duration("timeout") == 90min);
    CHECK(config.duration("zero") == 0ms);
    CHECK(config.duration("zero_text") == 0ms);
    CHECK(config.duration("missing", 10s) == 10s);
    CHECK_FALSE(config.duration("missing").has_value());
    CHECK(error_of([&] { config.duration("bad"); }) ==
          "s: config key 'bad' invalid duration \"5x\": missing or unknown unit (use ms, s, m, h, "
          "d, w, y)");
    CHECK(error_of([&] { config.duration("number"); }) ==
          "s: config key 'number' must be a duration such as \"30s\" or \"1h30m\", got the number "
          "30");
}

TEST_CASE("a list of strings, and booleans") {
    const tg::Config config(
        R"({"tags": ["a", "障害"], "one": "a", "mixed": ["a", 2], "flag": true, "text": "true"})",
        "s");
    CHECK(config.strings("tags") == std::vector<std::string>{"a", "障害"});
    CHECK(config.strings("missing").empty());
    CHECK(error_of([&] { config.strings("one"); }) ==
          "s: config key 'one' must be a list of strings, got the string \"a\"");
    CHECK(error_of([&] { config.strings("mixed"); }) ==
          "s: config key 'mixed' must be a list of strings, item 2 is the number 2");
    CHECK(config.boolean("flag", false));
    CHECK(config.boolean("missing", true));
    CHECK(error_of([&] { config.boolean("text", false); }) ==
          "s: config key 'text' must be true or false, got the string \"true\"");
}

TEST_CASE("unknown keys, a config that is not a map, and checks of the sink's own") {
    const tg::Config config(R"({"dir": "/x", "fiel": 1})", "file_sink");
    config.string("dir");
    config.integer("max_lines", 10);
    CHECK(error_of([&] { config.reject_unknown_keys(); }) ==
          "file_sink: unknown config key 'fiel' (known: dir, max_lines)");
    config.integer("fiel", 0);
    CHECK_NOTHROW(config.reject_unknown_keys());

    CHECK(error_of([] { tg::Config(R"({"x": 1})", "s").reject_unknown_keys(); }) ==
          "s: unknown config key 'x' (this sink takes no settings)");
    CHECK(error_of([] { tg::Config("[1]", "s"); }) ==
          "s: config must be a map of settings, got a list");
    CHECK(error_of([] { tg::Config("{", "s"); }) ==
          "s: config must be a map of settings, got malformed JSON");
    CHECK(tg::Config("", "s").json().empty());
    CHECK(tg::Config("null", "s").json().empty());
    CHECK(error_of([&] { config.fail("dir", "must be a directory"); }) ==
          "file_sink: config key 'dir' must be a directory");
    // A ConfigError is a std::invalid_argument: the wrapper makes it TG_DROP in create.
    CHECK_THROWS_AS(config.string("none"), std::invalid_argument);
}
