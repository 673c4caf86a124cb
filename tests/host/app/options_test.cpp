// The command line of `dead-letters` (issue 14 §1): what it takes, and a clear refusal of what
// it does not, before any store is opened.
#include "app/options.hpp"

#include <catch2/catch.hpp>

using tg::host::Options;
using tg::host::parse_options;
using tg::host::UsageError;

namespace {

std::string refusal(std::vector<std::string> args) {
    try {
        parse_options(args);
    } catch (const UsageError& e) {
        return e.what();
    }
    return "";
}

}  // namespace

TEST_CASE("dead-letters: list, show, retry and discard with their options") {
    const Options list =
        parse_options({"--state-dir", "/s", "dead-letters", "list", "--sink", "redmine", "--json"});
    CHECK(list.command == std::vector<std::string>{"dead-letters", "list"});
    CHECK(list.sink == "redmine");
    CHECK(list.json);
    CHECK(parse_options({"dead-letters", "show", "12"}).command.at(2) == "12");
    const Options retry = parse_options({"dead-letters", "retry", "--all", "--sink=redmine"});
    CHECK(retry.all);
    CHECK(retry.sink == "redmine");
    CHECK(parse_options({"dead-letters", "retry", "3", "4"}).command.size() == 4);
    CHECK(parse_options({"dead-letters", "discard", "--all", "--sink", "log"}).all);
    CHECK(parse_options({"--check-config"}).command.empty());
}

TEST_CASE("dead-letters: malformed commands are refused with the reason") {
    CHECK(refusal({"dead-letters"}) == "dead-letters needs list, show, retry or discard");
    CHECK(refusal({"dead-letters", "purge"}).find("has no command 'purge'") != std::string::npos);
    CHECK(refusal({"dead-letters", "show"}) == "dead-letters show takes one ID");
    CHECK(refusal({"dead-letters", "show", "1", "2"}) == "dead-letters show takes one ID");
    CHECK(refusal({"dead-letters", "retry"}) == "dead-letters retry needs the ids, or --all");
    CHECK(refusal({"dead-letters", "retry", "1", "--all"}) ==
          "dead-letters retry takes ids or --all, not both");
    CHECK(refusal({"dead-letters", "retry", "x1"}) == "dead-letters retry: 'x1' is not an id");
    CHECK(refusal({"dead-letters", "discard", "--all"}) ==
          "dead-letters discard --all needs --sink NAME");
    CHECK(refusal({"dead-letters", "list", "--all"}).find("no ids") != std::string::npos);
    CHECK(parse_options({"dead-letters", "retry", "1", "--dry-run"}).dry_run);
    CHECK(refusal({"dead-letters", "discard", "1", "--dry-run"}) ==
          "--dry-run goes with --run-hook, --replay or dead-letters retry");
    CHECK(refusal({"--json"}) == "--sink, --json and --all go with dead-letters");
    CHECK(refusal({"lsit"}) == "unknown command lsit (the commands: dead-letters, routes)");
}

TEST_CASE("routes test: LABEL=VALUE words or --file, and a clear refusal of anything else") {
    const Options one = parse_options(
        {"--config", "r.yaml", "routes", "test", "alertname=HighCPU", "instance=db:9100"});
    CHECK(one.command ==
          std::vector<std::string>{"routes", "test", "alertname=HighCPU", "instance=db:9100"});
    CHECK(parse_options({"routes", "test", "--file", "cases.yaml"}).cases_file == "cases.yaml");
    CHECK(parse_options({"routes", "test", "severity="}).command.at(2) == "severity=");
    CHECK(refusal({"routes", "test"}).find("needs LABEL=VALUE") != std::string::npos);
    CHECK(refusal({"routes", "show"}) == "routes has no command 'show' (test)");
    CHECK(refusal({"routes", "test", "alertname"}).find("'alertname' is not LABEL=VALUE") !=
          std::string::npos);
    CHECK(refusal({"routes", "test", "1st=x"}).find("is not LABEL=VALUE") != std::string::npos);
    CHECK(refusal({"routes", "test", "dc-name=x"}).find("is not LABEL=VALUE") != std::string::npos);
    CHECK(refusal({"routes", "test", "a=b", "--file", "c.yaml"}) ==
          "routes test takes LABEL=VALUE... or --file CASES.yaml, not both");
    CHECK(refusal({"routes", "test", "a=b", "--dry-run"}).find("a dry run already") !=
          std::string::npos);
    CHECK(refusal({"routes", "test", "a=b", "--verbose"}) == "unknown option --verbose");
    CHECK(refusal({"--file", "c.yaml"}) == "--file goes with routes test");
}
