#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "config/config_error.hpp"
#include "config/env.hpp"

using namespace tg::host;

namespace {

std::string write_temp(const std::string& name, const std::string& content) {
    auto dir = std::filesystem::temp_directory_path() / "tg_config_tests";
    std::filesystem::create_directories(dir);
    auto path = (dir / name).string();
    std::ofstream(path, std::ios::binary) << content;
    return path;
}

}  // namespace

TEST_CASE("env file: the formats operators use", "[env]") {
    Environment env;
    env.load_env_text(
        "# Redmine\n"
        "\n"
        "REDMINE_URL=https://redmine.example.com\n"
        "export REDMINE_KEY=abc123\n"
        "  SPACED  =  value with spaces  \n"
        "DQ=\"a \\\"quoted\\\" \\\\ value\\nline2\"\n"
        "SQ='single $HOME \\n kept'\n"
        "EMPTY=\n"
        "EMPTY_DQ=\"\"\n"
        "JA=障害チケット\n"
        "JA_DQ=\"担当: 山田\"   # comment after quotes\n"
        "HASH=pass#word\n"
        "INLINE=value # comment\n"
        "EQ=a=b=c\n"
        "CRLF=windows\r\n"
        "\t# indented comment\n"
        "export=not a keyword here\n"
        "DUP=first\n"
        "DUP=second\n",
        "test.env");
    CHECK(env.get("REDMINE_URL") == "https://redmine.example.com");
    CHECK(env.get("REDMINE_KEY") == "abc123");
    CHECK(env.get("SPACED") == "value with spaces");
    CHECK(env.get("DQ") == "a \"quoted\" \\ value\nline2");
    CHECK(env.get("SQ") == "single $HOME \\n kept");
    CHECK(env.get("EMPTY") == "");
    CHECK(env.get("EMPTY_DQ") == "");
    CHECK(env.get("JA") == "障害チケット");
    CHECK(env.get("JA_DQ") == "担当: 山田");
    CHECK(env.get("HASH") == "pass#word");
    CHECK(env.get("INLINE") == "value");
    CHECK(env.get("EQ") == "a=b=c");
    CHECK(env.get("CRLF") == "windows");
    CHECK(env.get("export") == "not a keyword here");
    CHECK(env.get("DUP") == "second");
    CHECK_FALSE(env.get("NOPE").has_value());
}

TEST_CASE("env file: malformed lines name the file and line, not the value", "[env]") {
    auto fails = [](const std::string& text, const std::string& where) {
        Environment env;
        INFO(text);
        try {
            env.load_env_text(text, "secrets.env");
            FAIL("no exception");
        } catch (const ConfigError& e) {
            CHECK_THAT(e.what(), Catch::StartsWith(where));
            CHECK_THAT(e.what(), !Catch::Contains("s3cr3t"));
        }
    };
    fails("OK=1\nthis line has no equals s3cr3t\n", "secrets.env:2:");
    fails("A=1\n\n# c\nPASSWORD=\"s3cr3t\n", "secrets.env:4: PASSWORD: ");
    fails("PASSWORD='s3cr3t\n", "secrets.env:1: PASSWORD: ");
    fails("PASSWORD=\"s3cr3t\" trailing\n", "secrets.env:1: PASSWORD: ");
    fails("9KEY=s3cr3t\n", "secrets.env:1:");
    fails("MY-KEY=s3cr3t\n", "secrets.env:1:");
    fails("export PASSWORD s3cr3t\n", "secrets.env:1: PASSWORD:");

    Environment env;
    env.set("KEEP", "old");
    CHECK_THROWS_AS(env.load_env_text("KEEP=new\nbad\n", "x.env"), ConfigError);
    CHECK(env.get("KEEP") == "old");  // all or nothing
}

TEST_CASE("env file from disk, over the process environment", "[env]") {
    ::setenv("TG_TEST_FROM_PROCESS", "process", 1);
    ::setenv("TG_TEST_OVERRIDDEN", "process", 1);
    Environment env = Environment::from_process();
    CHECK(env.get("TG_TEST_FROM_PROCESS") == "process");
    auto path = write_temp("a.env", "\xEF\xBB\xBFTG_TEST_OVERRIDDEN=file\nJA=日本語\n");
    env.load_env_file(path);
    CHECK(env.get("TG_TEST_OVERRIDDEN") == "file");
    CHECK(env.get("TG_TEST_FROM_PROCESS") == "process");
    CHECK(env.get("JA") == "日本語");
    CHECK_THROWS_WITH(env.load_env_file(path + ".missing"), Catch::Contains("a.env.missing"));
}

TEST_CASE("expansion", "[env]") {
    Environment env;
    env.set("URL", "https://r.example.com");
    env.set("EMPTY", "");
    env.set("JA", "日本");
    CHECK(env.expand("plain text") == "plain text");
    CHECK(env.expand("${URL}/issues.json") == "https://r.example.com/issues.json");
    CHECK(env.expand("${JA}語") == "日本語");
    CHECK(env.expand("${MISSING:-fallback}") == "fallback");
    CHECK(env.expand("${EMPTY:-fallback}") == "fallback");
    CHECK(env.expand("${EMPTY}") == "");
    CHECK(env.expand("${URL:-unused}") == "https://r.example.com");
    CHECK(env.expand("${MISSING:-}") == "");
    CHECK(env.expand("${MISSING:-${URL}/x}") == "https://r.example.com/x");
    CHECK(env.expand("$$HOME and $$$${URL}") == "$HOME and $${URL}");
    CHECK(env.expand("price: 5$, regex foo$ $1") == "price: 5$, regex foo$ $1");
    CHECK(env.expand("$") == "$");
    CHECK_THROWS_AS(env.expand("${MISSING}"), std::invalid_argument);
    CHECK_THROWS_WITH(env.expand("x ${MISSING} y"), Catch::Contains("MISSING"));
    CHECK_THROWS_AS(env.expand("${URL"), std::invalid_argument);
    CHECK_THROWS_AS(env.expand("${BAD-NAME}"), std::invalid_argument);
    CHECK_THROWS_AS(env.expand("${}"), std::invalid_argument);
}
