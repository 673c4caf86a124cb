// Scenario d: Redmine writes a note but its answer is lost on the way back (the connection breaks
// after Redmine's commit). The sink retries, finds the note in the issue's journals and does not
// write it again: one 解消 and one 再発, never two.
#include "redmine_faults.hpp"

using namespace tg;
using namespace tg::faults;

TEST_CASE("a note whose answer is lost is written once, not again on the retry",
          "[faults][redmine]") {
    rgtest::Admin admin;
    const std::string project = admin.create_project("faults-lost");
    test::TempDir dir;
    TcpProxy proxy(redmine_port());
    test::write_file(dir / "routes.yaml",
                     redmine_routes("http://127.0.0.1:" + std::to_string(proxy.port()), project));
    test::HostProcess host({"--config", dir / "routes.yaml", "--state-dir", dir / "state"},
                           dir / "host.log");
    REQUIRE(host.wait_ready());
    Sender sender(host.port());

    const std::string firing = group_body("LostAnswer", {"host01"});
    REQUIRE(sender.deliver(firing));
    REQUIRE(settled(host.port(), std::chrono::seconds(60)));
    const int64_t id = admin.find(project, "[Alert] LostAnswer (host01)")->getValue<int64_t>("id");

    // The 解消 note's PUT reaches Redmine; its answer does not reach the sink.
    proxy.lose_answers("PUT /issues/", 1);
    REQUIRE(sender.deliver(group_body("LostAnswer", {"host01"}, "resolved")));
    REQUIRE(settled(host.port(), std::chrono::seconds(60)));
    CHECK(proxy.answers_lost() == 1);
    CHECK(admin.count_notes(id, "解消") == 1);

    // A new episode: the 再発 note's answer is lost as well.
    std::string again = firing;
    const std::string start = "2026-11-27T09:00:00.000Z";
    again.replace(again.find(start), start.size(), "2026-11-27T11:00:00.000Z");
    proxy.lose_answers("PUT /issues/", 1);
    REQUIRE(sender.deliver(again));
    REQUIRE(settled(host.port(), std::chrono::seconds(60)));
    CHECK(proxy.answers_lost() == 2);
    CHECK(admin.count_notes(id, "再発") == 1);
    CHECK(admin.count_notes(id, "解消") == 1);
    CHECK(admin.issues(project).size() == 1);

    CHECK(test::occurrences(host.log(), "not sent again") == 2);
    CHECK(host.terminate() == 0);
}
