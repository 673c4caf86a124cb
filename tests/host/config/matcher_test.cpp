#include <catch2/catch.hpp>

#include "config/matcher.hpp"
#include "config/matcher_parser.hpp"

#include <string>
#include <vector>

using namespace tg::host;
using Catch::Contains;

namespace {

using Op = Matcher::Op;

struct Expected {
    std::string name;
    Op op;
    std::string value;
};

// parse_matchers(input) gives exactly these matchers.
void parses_to(const std::string& input, const std::vector<Expected>& want) {
    INFO("input: " << input);
    std::vector<Matcher> got;
    REQUIRE_NOTHROW(got = parse_matchers(input));
    REQUIRE(got.size() == want.size());
    for (size_t i = 0; i < want.size(); ++i) {
        CHECK(got[i].name == want[i].name);
        CHECK(got[i].op == want[i].op);
        CHECK(got[i].value == want[i].value);
    }
}

void refused(const std::string& input, const std::string& why = "") {
    INFO("input: " << input);
    CHECK_THROWS_AS(parse_matchers(input), MatcherError);
    if (!why.empty()) CHECK_THROWS_WITH(parse_matchers(input), Contains(why));
}

bool matches(Op op, const std::string& value, const std::string& label_value) {
    return Matcher::make("x", op, value).matches(Labels{{"x", label_value}});
}

}  // namespace

// Alertmanager's pkg/labels/matcher_test.go, TestMatcher (the label name there is empty, which a
// routing file cannot write: here it is "x").
TEST_CASE("matching as in Alertmanager's matcher tests", "[matcher]") {
    CHECK(matches(Op::Equal, "bar", "bar"));
    CHECK_FALSE(matches(Op::Equal, "bar", "foo-bar"));
    CHECK_FALSE(matches(Op::NotEqual, "bar", "bar"));
    CHECK(matches(Op::NotEqual, "bar", "foo-bar"));
    CHECK(matches(Op::RegexMatch, "bar", "bar"));
    CHECK_FALSE(matches(Op::RegexMatch, "bar", "foo-bar"));
    CHECK(matches(Op::RegexMatch, ".*bar", "foo-bar"));
    CHECK_FALSE(matches(Op::RegexNoMatch, "bar", "bar"));
    CHECK(matches(Op::RegexNoMatch, "bar", "foo-bar"));
    CHECK_FALSE(matches(Op::RegexNoMatch, ".*bar", "foo-bar"));
    CHECK(matches(Op::RegexMatch, "foo.bar", "foo-bar"));
    CHECK_FALSE(matches(Op::RegexMatch, "foo\\.bar", "foo-bar"));
    CHECK(matches(Op::RegexMatch, "foo\\.bar", "foo.bar"));
    CHECK(matches(Op::Equal, "foo\nbar", "foo\nbar"));
    CHECK_FALSE(matches(Op::RegexMatch, "foo.bar", "foo\nbar"));
    CHECK(matches(Op::RegexMatch, "(?s)foo.bar", "foo\nbar"));
    CHECK(matches(Op::Equal, "~!=\"", "~!=\""));
}

// TestMatcherString, for the names a routing file can write.
TEST_CASE("matchers print as Alertmanager prints them", "[matcher]") {
    CHECK(Matcher::make("foo", Op::Equal, "bar").to_string() == R"(foo="bar")");
    CHECK(Matcher::make("foo", Op::NotEqual, "bar").to_string() == R"(foo!="bar")");
    CHECK(Matcher::make("foo", Op::RegexMatch, "bar").to_string() == R"(foo=~"bar")");
    CHECK(Matcher::make("foo", Op::RegexNoMatch, "bar").to_string() == R"(foo!~"bar")");
    CHECK(Matcher::make("foo", Op::Equal, R"(back\slash)").to_string() == R"(foo="back\\slash")");
    CHECK(Matcher::make("foo", Op::Equal, R"(double"quote)").to_string() ==
          R"(foo="double\"quote")");
    CHECK(Matcher::make("foo", Op::Equal, "new\nline").to_string() == R"(foo="new\nline")");
    CHECK(Matcher::make("foo", Op::Equal, "tab\tstop").to_string() == "foo=\"tab\tstop\"");
    CHECK(Matcher::make("foo", Op::Equal, "🙂").to_string() == R"(foo="🙂")");
    for (const char* text :
         {"a=\"b\"", "a!=\"b c\"", "a=~\"x.*\"", "a!~\"q\\\\d\"", "a=\"say \\\"hi\\\"\""}) {
        const Matcher m = Matcher::parse(text);
        CHECK(m.to_string() == text);
        const Matcher back = Matcher::parse(m.to_string());
        CHECK(back.value == m.value);
        CHECK(back.op == m.op);
    }
    CHECK(Matcher::parse("instance != web01").to_string() == "instance!=\"web01\"");
}

// The inputs of pkg/labels/parse_test.go (the classic parser, Alertmanager 0.25) and of
// matcher/parse/parse_test.go (the UTF-8 parser, 0.27+) that both parsers read alike.
TEST_CASE("matcher lists as both Alertmanager parsers read them", "[matcher]") {
    parses_to("{foo=bar}", {{"foo", Op::Equal, "bar"}});
    parses_to(R"({foo="bar"})", {{"foo", Op::Equal, "bar"}});
    parses_to("{foo=~bar.*}", {{"foo", Op::RegexMatch, "bar.*"}});
    parses_to(R"({foo=~"bar.*"})", {{"foo", Op::RegexMatch, "bar.*"}});
    parses_to("{foo!=bar}", {{"foo", Op::NotEqual, "bar"}});
    parses_to(R"({foo!="bar"})", {{"foo", Op::NotEqual, "bar"}});
    parses_to("{foo!~bar.*}", {{"foo", Op::RegexNoMatch, "bar.*"}});
    parses_to(R"({foo!~"bar.*"})", {{"foo", Op::RegexNoMatch, "bar.*"}});
    parses_to(R"({foo="bar", baz!="quux"})",
              {{"foo", Op::Equal, "bar"}, {"baz", Op::NotEqual, "quux"}});
    parses_to(R"({foo="bar", baz!~"quux.*"})",
              {{"foo", Op::Equal, "bar"}, {"baz", Op::RegexNoMatch, "quux.*"}});
    parses_to(R"({foo="bar",baz!~".*quux", derp="wat"})", {{"foo", Op::Equal, "bar"},
                                                           {"baz", Op::RegexNoMatch, ".*quux"},
                                                           {"derp", Op::Equal, "wat"}});
    parses_to(
        R"({foo="bar", baz!="quux", derp="wat"})",
        {{"foo", Op::Equal, "bar"}, {"baz", Op::NotEqual, "quux"}, {"derp", Op::Equal, "wat"}});
    parses_to(R"({foo="bar", baz!~".*quux.*", derp="wat"})", {{"foo", Op::Equal, "bar"},
                                                              {"baz", Op::RegexNoMatch, ".*quux.*"},
                                                              {"derp", Op::Equal, "wat"}});
    parses_to(R"({foo="bar", instance=~"some-api.*"})",
              {{"foo", Op::Equal, "bar"}, {"instance", Op::RegexMatch, "some-api.*"}});
    parses_to(R"({foo=""})", {{"foo", Op::Equal, ""}});
    parses_to(R"({foo="bar,quux", job="job1"})",
              {{"foo", Op::Equal, "bar,quux"}, {"job", Op::Equal, "job1"}});
    parses_to(R"({foo = "bar", dings != "bums", })",
              {{"foo", Op::Equal, "bar"}, {"dings", Op::NotEqual, "bums"}});
    parses_to("foo=bar,dings!=bums", {{"foo", Op::Equal, "bar"}, {"dings", Op::NotEqual, "bums"}});
    parses_to(R"({quote="She said: \"Hi, ladies! That's gender-neutral…\""})",
              {{"quote", Op::Equal, R"(She said: "Hi, ladies! That's gender-neutral…")"}});
    parses_to(R"(statuscode=~"5..")", {{"statuscode", Op::RegexMatch, "5.."}});
    parses_to(
        R"(contains_quote != "\"" , contains_comma !~ "foo,bar" , )",
        {{"contains_quote", Op::NotEqual, "\""}, {"contains_comma", Op::RegexNoMatch, "foo,bar"}});
    // matcher/parse/parse_test.go (unquoted label names: see the refusals below).
    parses_to("{foo=bar,}", {{"foo", Op::Equal, "bar"}});
    parses_to("{foo=~[a-z]+}", {{"foo", Op::RegexMatch, "[a-z]+"}});
    parses_to("{foo!~[a-z]+}", {{"foo", Op::RegexNoMatch, "[a-z]+"}});
    parses_to("{foo=🙂}", {{"foo", Op::Equal, "🙂"}});
    parses_to("{foo=🙂bar}", {{"foo", Op::Equal, "🙂bar"}});
    parses_to("foo=bar,", {{"foo", Op::Equal, "bar"}});
    parses_to(R"({foo=~"\\d+"})", {{"foo", Op::RegexMatch, "\\d+"}});
    parses_to(R"({foo="🙂bar"})", {{"foo", Op::Equal, "🙂bar"}});
    parses_to(R"({foo="bar\n"})", {{"foo", Op::Equal, "bar\n"}});
    parses_to(R"({foo="\"bar\""})", {{"foo", Op::Equal, "\"bar\""}});
    parses_to(R"({foo="bar\\"})", {{"foo", Op::Equal, "bar\\"}});
    parses_to(R"(foo="bar",bar!="baz")", {{"foo", Op::Equal, "bar"}, {"bar", Op::NotEqual, "baz"}});
    // Ours: names with colons (both parsers take them), Japanese values, blanks around tokens.
    parses_to("job:rate = 日本語", {{"job:rate", Op::Equal, "日本語"}});
    parses_to("  job !~  \"node|blackbox\"  ", {{"job", Op::RegexNoMatch, "node|blackbox"}});
    CHECK_THROWS_WITH(Matcher::parse("foo=bar,bar=baz"), Contains("expected one matcher, found 2"));
}

// What Alertmanager refuses (either parser's tests), and what its two parsers read differently.
TEST_CASE("matchers Alertmanager refuses or reads two ways are refused", "[matcher]") {
    // Refused by both (pkg/labels/parse_test.go, matcher/parse/parse_test.go).
    refused(",", "expected a label name");
    refused("{,}", "expected a label name");
    refused(R"(job="value)", "missing closing double quote");
    refused(R"(job=value")", "cannot hold '\"'");
    refused(R"(trickier==\\=\=\"")");
    refused(R"(contains_unescaped_quote = foo"bar)");
    refused(R"({invalid-name = "valid label"})", "'-' cannot be part of a label name");
    refused(R"({foo=~"invalid[regexp"})", "invalid regular expression \"invalid[regexp\"");
    for (const char* doubly_escaped :
         {R"("{foo=\"bar"})", R"("foo=\"bar")", R"("foo=\"bar\"")", R"("foo=\"bar\")",
          R"("{foo=\"bar\"}")", R"("foo="bar"")", "{{foo="})
        refused(doubly_escaped);
    refused("{", "missing the closing brace");
    refused("}", "a closing brace without an opening");
    refused("foo=bar}", "a closing brace without an opening");
    refused("{foo=bar", "missing the closing brace");
    refused(R"({foo=:"bar"})", "cannot hold '\"'");
    refused(R"({foo="bar\w"})", "unknown escape sequence \\'w'");
    refused(R"({foo=~"\d+"})", "in a regex write \\\\ for a backslash");
    refused(R"({foo=bar\n})", "a backslash goes in a double-quoted value");
    refused(R"({foo="\xf0\x9f"})", "unknown escape sequence");
    refused("", "no matcher");
    refused("{}", "no matcher");
    refused("foo=bar,,", "expected a label name");
    // Read one way by the classic parser and refused by the UTF-8 one (compliance_test.go).
    refused("{foo='}", "only double quotes quote a value");
    refused("{foo=`}", "only double quotes quote a value");
    refused(R"({foo=\"})");
    refused("tricky=~~~", "cannot start with '~'");
    refused(R"(trickier==\\=\=\")", "cannot start with '='");
    refused("{foo=bar}}", "braces");
    refused("{foo=bar}},}");
    refused("{foo=,bar=}}", "missing value");
    refused(R"({foo=bar\t})");
    refused(R"({foo=bar\})");
    refused(R"({foo=bar\\})");
    refused("job=", "write name=\"\"");
    refused("{foo=}b");
    refused("{foo=\n}", "missing value");
    refused("summary = disk full on /var", "separated by commas");
    refused("summary=disk\u3000full", "U+3000");  // an ideographic space ends a token
    refused(R"(foo="tab\there")", "read it differently");
    refused(R"("foo"="bar")", "written without quotes");
    refused("foo.bar=baz", "'.' cannot be part of a label name");
    refused("foo=\"line\nbreak\"", "a line break inside double quotes");
    refused("foo=\"\xff\"", "not valid UTF-8");
    // Ours from before: bad names, no operator.
    for (const char* bad : {"=foo", "9abc=foo", "foo", "foo bar", "foo<bar", "foo=\"bar\"x"}) {
        refused(bad);
    }
    CHECK_THROWS_WITH(parse_matchers("foo=\"bar\"x"), Contains("after the closing double quote"));
}

TEST_CASE("issue 11: the matcher 'severity == critical' is refused as Alertmanager refuses it",
          "[matcher]") {
    // main read it as severity="= critical", which never matches.
    CHECK_THROWS_WITH(Matcher::parse("severity == critical"),
                      Contains("at column 11") && Contains("\"==\" is none"));
    try {
        Matcher::parse("severity == critical");
        FAIL("accepted");
    } catch (const MatcherError& e) {
        CHECK(e.column == 11);
    }
    for (const char* typo : {"severity =! critical", "severity === critical", "severity=~~crit",
                             "severity !=~ crit", "severity = =critical"}) {
        INFO(typo);
        CHECK_THROWS_AS(Matcher::parse(typo), MatcherError);
    }
    CHECK(Matcher::parse(R"(severity = "= critical")").value == "= critical");  // quoted: fine
}

// Go's regexp (RE2 syntax), which std::regex's ECMAScript read otherwise.
TEST_CASE("regexes mean what they mean in Alertmanager", "[matcher]") {
    Labels l{{"alertname", "DiskFull"}, {"severity", "critical"}, {"team", "infra"}};
    CHECK(Matcher::parse("severity=~\"crit.*\"").matches(l));
    CHECK(Matcher::parse("team=~\"db|infra\"").matches(l));
    CHECK_FALSE(Matcher::parse("team!~\"db|infra\"").matches(l));
    SECTION("anchored at both ends, as ^(?:...)$") {
        CHECK_FALSE(Matcher::parse("severity=~crit").matches(l));
        CHECK_FALSE(Matcher::parse("severity=~ical").matches(l));
        CHECK_FALSE(Matcher::parse("team=~\"db|infr\"").matches(l));
        CHECK(Matcher::parse("severity!~crit").matches(l));
        CHECK(matches(Op::RegexMatch, "a|ab", "ab"));
        CHECK_FALSE(matches(Op::RegexMatch, "a|ab", "abc"));
        // The value is pasted into ^(?:...)$ as Alertmanager does, closing group and all.
        CHECK(matches(Op::RegexMatch, "a)|(b", "axx"));
        CHECK(matches(Op::RegexMatch, "a)|(b", "xxb"));
    }
    SECTION("a missing label is the empty string") {
        CHECK(Matcher::parse("missing=\"\"").matches(l));
        CHECK(Matcher::parse("missing!=foo").matches(l));
        CHECK_FALSE(Matcher::parse("missing=foo").matches(l));
        CHECK(Matcher::parse("missing=~\".*\"").matches(l));
        CHECK_FALSE(Matcher::parse("missing=~\".+\"").matches(l));
        CHECK(Matcher::parse("missing!~\".+\"").matches(l));
    }
    SECTION("UTF-8: . is one character, \\p classes, Japanese") {
        CHECK(matches(Op::RegexMatch, "日本.", "日本語"));      // std::regex: one byte
        CHECK(matches(Op::RegexMatch, "\\p{Han}+", "日本語"));  // std::regex: refused
        CHECK(matches(Op::RegexMatch, "ディスク.*", "ディスク容量"));
        CHECK_FALSE(matches(Op::RegexMatch, "日本", "日本語"));
    }
    SECTION("Go's flags, classes and newlines") {
        CHECK(matches(Op::RegexMatch, "(?i)critical", "CRITICAL"));  // std::regex: refused
        CHECK(matches(Op::RegexMatch, "(?P<sev>crit)ical", "critical"));
        CHECK(matches(Op::RegexMatch, "[[:alpha:]]+", "abc"));
        CHECK(matches(Op::RegexMatch, "\\Qa.b\\E", "a.b"));
        CHECK_FALSE(matches(Op::RegexMatch, "\\Qa.b\\E", "axb"));
        CHECK(matches(Op::RegexMatch, "a.b", "a\rb"));  // ECMAScript's . stops at \r too
        CHECK_FALSE(matches(Op::RegexMatch, "a.b", "a\nb"));
        CHECK_FALSE(matches(Op::RegexMatch, "a\\sb", "a\u3000b"));  // \s is ASCII in Go
        CHECK(matches(Op::RegexMatch, "(?m)^b$", "b"));
        CHECK(matches(Op::RegexMatch, "x*?", "xxx"));
    }
    SECTION("linear time: no backtracking blow-up on long values") {
        const std::string value(200000, 'a');
        CHECK_FALSE(matches(Op::RegexMatch, "(a*)*b", value));
        CHECK_FALSE(matches(Op::RegexMatch, "(a|aa)*c", value));
        CHECK(matches(Op::RegexMatch, "(a|aa)*", value));
    }
}

TEST_CASE("regexes Go's regexp refuses are refused", "[matcher]") {
    for (const char* bad : {"(", "[a-", "a{1001}", "(a)\\1", "(?=a)", "(?!a)", "(?<=a)b", "a**",
                            "a*+", "\\C", "x\\Cy", "\\8", "(?P=name)", "[z-a]", "\\pX"}) {
        INFO(bad);
        CHECK_THROWS_WITH(Matcher::make("x", Op::RegexMatch, bad),
                          Contains("invalid regular expression"));
    }
    CHECK_NOTHROW(Matcher::make("x", Op::RegexMatch, "a{1000}"));
    CHECK_NOTHROW(Matcher::make("x", Op::RegexMatch, "\\Q\\C\\E"));  // quoted: literal
    CHECK_THROWS_WITH(Matcher::parse("foo=~\"(\""), Contains("regular expression"));
    CHECK_THROWS_WITH(Matcher::make("9x", Op::Equal, "a"), Contains("invalid label name"));
}
