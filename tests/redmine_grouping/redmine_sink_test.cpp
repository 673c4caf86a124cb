// ABI 1.6 delivery groups against the real Redmine: the sink declares its Roots' labels as its
// groups, and deliveries of different groups from several threads at once (each in a lane of its
// own, as the host's delivery pool calls them) make exactly the tickets and Roots that the same
// deliveries one at a time would.
#include "redmine_test_support.hpp"

#include <catch2/catch.hpp>

#include <deque>
#include <map>
#include <mutex>
#include <set>
#include <thread>

using namespace rgtest;

namespace {

constexpr int kThreads = 4, kAlertnames = 6, kHosts = 3;

std::string alertname(int i) { return "LaneCheck" + std::to_string(i); }
std::string instance(int h) { return "lanehost" + std::to_string(h); }

// What the host guarantees of a group: its deliveries in order, never two at once. A group goes
// back to the queue only once its delivery is done, so the threads interleave the groups.
class GroupQueue {
  public:
    GroupQueue() {
        for (int i = 0; i < kAlertnames; ++i) waiting_.push_back({i, 0});
    }
    // The next delivery of a group no thread is delivering: (alertname, host); false when all
    // are done.
    bool next(std::pair<int, int>& delivery) {
        std::unique_lock lock(mutex_);
        changed_.wait(lock, [&] { return !waiting_.empty() || running_ == 0; });
        if (waiting_.empty()) return false;
        delivery = waiting_.front();
        waiting_.pop_front();
        ++running_;
        return true;
    }
    void done(std::pair<int, int> delivery) {
        std::lock_guard lock(mutex_);
        --running_;
        if (++delivery.second < kHosts) waiting_.push_back(delivery);
        changed_.notify_all();
    }

  private:
    std::mutex mutex_;
    std::condition_variable changed_;
    std::deque<std::pair<int, int>> waiting_;
    int running_ = 0;
};

// Every group's deliveries from `threads` threads at once, as the host's delivery pool makes
// them; the failures, as "key: error".
std::vector<std::string> deliver_groups(SinkHandle& sink, int threads) {
    GroupQueue queue;
    std::mutex mutex;
    std::vector<std::string> errors;  // Catch's assertions stay on the test's thread
    std::vector<std::thread> running;
    for (int t = 0; t < threads; ++t)
        running.emplace_back([&] {
            for (std::pair<int, int> d; queue.next(d); queue.done(d)) {
                TestAlert alert{
                    {{"alertname", alertname(d.first)}, {"instance", instance(d.second)}},
                    {{"description", "lane check"}}};
                std::string error;
                const std::string key = alertname(d.first) + "-" + instance(d.second);
                if (sink.deliver(notification({alert}), key, error) != TG_OK) {
                    std::lock_guard lock(mutex);
                    errors.push_back(key + ": " + error);
                }
            }
        });
    for (auto& t : running) t.join();
    return errors;
}

}  // namespace

TEST_CASE("the sink's delivery groups are its Root labels", "[redmine][lanes]") {
    Admin admin;
    const std::string project = admin.create_project("groups");
    TempDir dir;
    Host host;
    SinkHandle by_default(host, sink_config(project), dir.path.string());
    CHECK(by_default.sink().group_labels() == std::vector<std::string>{"alertname"});
    TempDir other;
    SinkHandle by_setting(host, sink_config(project, R"("root_key_labels":["alertname","env"])"),
                          other.path.string());
    CHECK(by_setting.sink().group_labels() == std::vector<std::string>{"alertname", "env"});
}

TEST_CASE("4 threads delivering 6 alertnames on 3 hosts make 18 tickets under 6 Roots",
          "[redmine][grouping][lanes]") {
    Admin admin;
    const std::string project = admin.create_project("lanes");
    TempDir dir;
    Host host;
    SinkHandle sink(host, sink_config(project), dir.path.string());
    const auto errors = deliver_groups(sink, kThreads);
    INFO(host.all_lines());
    CHECK(errors == std::vector<std::string>{});
    CHECK(sink.sink().lane_count() > 1);  // deliveries did run at once

    std::map<std::string, int64_t> ids;  // subject → id
    std::map<int64_t, int64_t> parents;
    const auto issues = admin.issues(project);
    for (const auto& issue : issues) {
        const auto subject = issue->getValue<std::string>("subject");
        CHECK(ids.count(subject) == 0);  // no duplicate
        ids[subject] = id_of(issue);
        parents[id_of(issue)] = admin.parent(id_of(issue));
    }
    CHECK(issues.size() == kAlertnames * (kHosts + 1));
    for (int i = 0; i < kAlertnames; ++i) {
        const std::string root = "[Root] [Alert] " + alertname(i);
        REQUIRE(ids.count(root) == 1);
        CHECK(parents[ids[root]] == 0);
        for (int h = 0; h < kHosts; ++h) {
            const std::string ticket = "[Alert] " + alertname(i) + " (" + instance(h) + ")";
            INFO(ticket);
            REQUIRE(ids.count(ticket) == 1);
            CHECK(parents[ids[ticket]] == ids[root]);
        }
    }
}

// What the sink learns of Redmine (its text formatting, statuses, names) is its lanes' together:
// the same storm into an empty project costs the same requests at 4 and at 6 at once (every
// group) as one at a time.
TEST_CASE("deliveries at once make no more Redmine requests than one at a time",
          "[redmine][lanes]") {
    Admin admin;
    std::map<int, tg::redmine::RequestCounts> counts;  // by threads
    for (int threads : {1, kThreads, kAlertnames}) {
        const std::string project = admin.create_project("lanes" + std::to_string(threads));
        TempDir dir;
        Host host;
        SinkHandle sink(host, sink_config(project), dir.path.string());
        INFO(host.all_lines());
        CHECK(deliver_groups(sink, threads) == std::vector<std::string>{});
        counts[threads] = sink.counts();
        if (threads > 1) CHECK(sink.sink().lane_count() > 1);
    }
    const auto& floor = counts[1];
    for (int threads : {kThreads, kAlertnames}) {
        const auto& parallel = counts[threads];
        INFO(threads << " threads: GET " << floor.get << " then " << parallel.get << ", POST "
                     << floor.post << " then " << parallel.post << ", PUT " << floor.put << " then "
                     << parallel.put);
        CHECK(parallel.get == floor.get);
        CHECK(parallel.post == floor.post);
        CHECK(parallel.put == floor.put);
    }
}
