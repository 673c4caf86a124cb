// flap_window (issue 15, section 1) through a running host, configured by the operators' env
// file alone, into the real Redmine: 8 flaps inside the window make one summary note, written by
// the flap_summary hook on its schedule (not by a later alert), once, across a restart too; the
// window off leaves today's notes.
#include "redmine_test_support.hpp"
#include "test_support.hpp"

#include <catch2/catch.hpp>

#include <memory>
#include <regex>
#include <sstream>

namespace {

const std::string kSubject = "[Alert] FlapTest (server01)";

rgtest::TestAlert alert(int episode, bool firing) {
    rgtest::TestAlert a;
    a.labels = {{"alertname", "FlapTest"}, {"instance", "server01"}, {"severity", "warning"}};
    a.annotations = {{"summary", "flapping"}};
    const std::string minute = (episode < 10 ? "0" : "") + std::to_string(episode);
    a.starts_at = "2026-11-27T07:" + minute + ":00Z";
    a.ends_at = "2026-11-27T07:" + minute + ":30Z";
    a.firing = firing;
    return a;
}

struct FlapHost {
    rgtest::TempDir dir;
    std::vector<std::string> args;
    std::unique_ptr<tg::test::HostProcess> host;

    FlapHost(const std::string& project, const std::string& flap_window) {
        std::string env = tg::test::read_file(rgtest::write_env_file(dir, project));
        if (!flap_window.empty()) env += "REDMINE_FLAP_WINDOW=" + flap_window + "\n";
        const std::string env_file = (dir.path / "redmine.env").string();
        tg::test::write_file(env_file, env);
        args = {"--env-file",  env_file, "--state-dir", (dir.path / "state").string(),
                "--log-level", "debug"};
        start();
    }
    void start() {
        host = std::make_unique<tg::test::HostProcess>(args, (dir.path / "host.log").string());
        REQUIRE(host->wait_ready());
    }
    void restart() {
        CHECK(host->terminate() == 0);
        start();
    }
    void post(const rgtest::TestAlert& a) {
        REQUIRE(tg::test::http_post(host->port(), "/webhook", rgtest::notification({a})).status ==
                200);
        REQUIRE(tg::test::eventually(
            [&] {
                return tg::test::metric_value(tg::test::http_get(host->port(), "/metrics").body,
                                              "tickets_grouping_spool_depth") == 0;
            },
            std::chrono::seconds(60)));
    }
    // The flap_summary runs the host finished (log lines of the scheduler).
    size_t summary_runs() const {
        std::istringstream lines(host->log());
        size_t n = 0;
        for (std::string line; std::getline(lines, line);)
            if (line.find("scheduled hook done") != std::string::npos &&
                line.find("flap_summary") != std::string::npos)
                ++n;
        return n;
    }
};

// Fired (the ticket), then 8 times resolved and fired again: 8 flaps, ending firing.
void flap_eight_times(FlapHost& h, bool restart_midway = false) {
    h.post(alert(0, true));
    for (int i = 0; i < 8; ++i) {
        if (restart_midway && i == 4) h.restart();
        h.post(alert(i, false));
        h.post(alert(i + 1, true));
    }
}

std::vector<std::string> ticket_notes(rgtest::Admin& admin, const std::string& project) {
    return admin.notes(rgtest::id_of(admin.find(project, kSubject)));
}

// Waits for the summary, then for one more run of the hook, and returns the notes.
std::vector<std::string> notes_after_summary(FlapHost& h, rgtest::Admin& admin,
                                             const std::string& project) {
    REQUIRE(tg::test::eventually([&] { return ticket_notes(admin, project).size() >= 2; },
                                 std::chrono::seconds(180)));
    const size_t runs = h.summary_runs();
    REQUIRE(
        tg::test::eventually([&] { return h.summary_runs() > runs; }, std::chrono::seconds(120)));
    return ticket_notes(admin, project);
}

void check_summary(const std::vector<std::string>& notes, const std::string& first_note) {
    REQUIRE(notes.size() == 2);
    CHECK(notes[0] == first_note);  // the window's first change, noted as without flap_window
    INFO(notes[1]);
    // 8 re-fires and 7 resolves folded after the first resolve; the alert is firing now. Times
    // in the sink's zone (Asia/Tokyo) as HH:MM, with dates if the window spans midnight there.
    CHECK(std::regex_match(notes[1],
                           std::regex("この期間に 8 回再発・7 回解消 \\((\\d{4}-\\d\\d-\\d\\d )?"
                                      "\\d\\d:\\d\\d〜(\\d{4}-\\d\\d-\\d\\d )?\\d\\d:\\d\\d\\), "
                                      "現在: 発生中")));
}

}  // namespace

TEST_CASE(
    "flap_window: 8 flaps through the host give one 解消 note and one summary note, "
    "off gives today's 16 notes",
    "[flap]") {
    rgtest::Admin admin;

    const std::string off_project = admin.create_project("flap-off");
    FlapHost off(off_project, "");
    flap_eight_times(off);
    const auto today = ticket_notes(admin, off_project);
    REQUIRE(today.size() == 16);
    for (size_t i = 0; i < today.size(); ++i) {
        INFO(i << ": " << today[i]);
        CHECK(today[i].find(i % 2 == 0 ? "解消" : "再発") != std::string::npos);
        CHECK(today[i].find("この期間に") == std::string::npos);
    }
    CHECK(off.host->log().find("flap_summary") == std::string::npos);  // no hook declared
    WARN("notes per flap run, flap_window off: " << today.size());

    const std::string project = admin.create_project("flap-on");
    FlapHost on(project, "30s");
    flap_eight_times(on);
    CHECK(ticket_notes(admin, project).size() == 1);  // folded: nothing before the summary
    const auto notes = notes_after_summary(on, admin, project);
    check_summary(notes, today[0]);
    CHECK(tg::test::occurrences(on.host->log(), "folded into #") == 15);
    WARN("notes per flap run, flap_window 30s: " << notes.size() << " (summary: " << notes[1]
                                                 << ")");
    // Stable for longer than the window: the next change is noted as usual.
    on.post(alert(9, false));
    const auto later = ticket_notes(admin, project);
    REQUIRE(later.size() == 3);
    CHECK(later[2].find("解消") != std::string::npos);
    CHECK(on.host->terminate() == 0);
    CHECK(off.host->terminate() == 0);
}

TEST_CASE("flap_window: a restart between the flaps and their summary still gives one summary",
          "[flap]") {
    rgtest::Admin admin;
    const std::string project = admin.create_project("flap-restart");
    FlapHost h(project, "30s");
    flap_eight_times(h, true);  // restarted in the middle of the flaps
    h.restart();                // and again before the summary is due
    CHECK(ticket_notes(admin, project).size() == 1);
    const auto notes = notes_after_summary(h, admin, project);
    REQUIRE(notes.size() == 2);
    CHECK(notes[0].find("解消") != std::string::npos);
    INFO(notes[1]);
    CHECK(notes[1].rfind("この期間に 8 回再発・7 回解消 (", 0) == 0);
    CHECK(notes[1].find("現在: 発生中") != std::string::npos);
    WARN("notes per flap run with restarts: " << notes.size());
    CHECK(h.host->terminate() == 0);
}
