#include <catch2/catch.hpp>

#include "config/matcher.hpp"

using namespace tg::host;

TEST_CASE("matcher syntax", "[matcher]") {
    Matcher m = Matcher::parse("alertname = \"Foo\"");
    CHECK(m.name == "alertname");
    CHECK(m.op == Matcher::Op::Equal);
    CHECK(m.value == "Foo");

    m = Matcher::parse("severity=~\"crit.*\"");
    CHECK(m.op == Matcher::Op::RegexMatch);
    CHECK(m.value == "crit.*");
    REQUIRE(m.regex);

    m = Matcher::parse("instance!=web01");
    CHECK(m.op == Matcher::Op::NotEqual);
    CHECK(m.value == "web01");

    m = Matcher::parse("  job !~  \"node|blackbox\"  ");
    CHECK(m.name == "job");
    CHECK(m.op == Matcher::Op::RegexNoMatch);
    CHECK(m.value == "node|blackbox");

    m = Matcher::parse(R"(msg="say \"hi\" \\ there")");
    CHECK(m.value == R"(say "hi" \ there)");

    m = Matcher::parse("summary = disk full on /var ");
    CHECK(m.value == "disk full on /var");

    m = Matcher::parse("team=");
    CHECK(m.value.empty());
    m = Matcher::parse("team=\"\"");
    CHECK(m.value.empty());

    m = Matcher::parse("foo==");  // unquoted: the rest of the text, as in Alertmanager
    CHECK(m.op == Matcher::Op::Equal);
    CHECK(m.value == "=");

    m = Matcher::parse("_x9 = 日本語");
    CHECK(m.name == "_x9");
    CHECK(m.value == "日本語");
}

TEST_CASE("matcher syntax errors", "[matcher]") {
    for (const char* bad :
         {"", "=foo", "9abc=foo", "foo", "foo bar", "foo<bar", "foo=\"bar", "foo=\"bar\"x",
          "foo=\"a\\qb\"", "foo-bar=1", "foo=~\"(\"", "foo!~\"[a-\""}) {
        INFO(bad);
        CHECK_THROWS_AS(Matcher::parse(bad), std::invalid_argument);
    }
    CHECK_THROWS_WITH(Matcher::parse("foo=~\"(\""), Catch::Contains("regular expression"));
    CHECK_THROWS_WITH(Matcher::parse("foo=\"bar"), Catch::Contains("closing double quote"));
}

TEST_CASE("matcher semantics", "[matcher]") {
    Labels l{{"alertname", "DiskFull"}, {"severity", "critical"}, {"team", "infra"}};
    CHECK(Matcher::parse("alertname=DiskFull").matches(l));
    CHECK_FALSE(Matcher::parse("alertname=diskfull").matches(l));
    CHECK(Matcher::parse("alertname!=Other").matches(l));
    CHECK_FALSE(Matcher::parse("alertname!=DiskFull").matches(l));
    CHECK(Matcher::parse("severity=~\"crit.*\"").matches(l));
    CHECK(Matcher::parse("team=~\"db|infra\"").matches(l));
    CHECK_FALSE(Matcher::parse("team!~\"db|infra\"").matches(l));

    SECTION("regexes are anchored at both ends") {
        CHECK_FALSE(Matcher::parse("severity=~crit").matches(l));
        CHECK_FALSE(Matcher::parse("severity=~ical").matches(l));
        CHECK_FALSE(Matcher::parse("team=~\"db|infr\"").matches(l));
        CHECK(Matcher::parse("severity!~crit").matches(l));
        CHECK(Matcher::parse("x=~\"a|ab\"").matches(Labels{{"x", "ab"}}));
        CHECK_FALSE(Matcher::parse("x=~\"a|ab\"").matches(Labels{{"x", "abc"}}));
    }
    SECTION("a missing label is the empty string") {
        CHECK(Matcher::parse("missing=\"\"").matches(l));
        CHECK(Matcher::parse("missing!=foo").matches(l));
        CHECK_FALSE(Matcher::parse("missing=foo").matches(l));
        CHECK(Matcher::parse("missing=~\".*\"").matches(l));
        CHECK_FALSE(Matcher::parse("missing=~\".+\"").matches(l));
        CHECK(Matcher::parse("missing!~\".+\"").matches(l));
    }
}

TEST_CASE("matcher to_string round-trips", "[matcher]") {
    for (const char* text :
         {"a=\"b\"", "a!=\"b c\"", "a=~\"x.*\"", "a!~\"q\\\\d\"", "a=\"say \\\"hi\\\"\""}) {
        Matcher m = Matcher::parse(text);
        CHECK(m.to_string() == text);
        Matcher back = Matcher::parse(m.to_string());
        CHECK(back.value == m.value);
        CHECK(back.op == m.op);
    }
    CHECK(Matcher::parse("instance != web01").to_string() == "instance!=\"web01\"");
}
