// An issue tracker in memory, for the executor's unit tests (executor_test.cpp): it keeps
// Redmine's rules that the sink's hardest paths depend on, and injects what a real Redmine does
// only by accident:
// - an answer lost after the write was done (lose_next_answer: a connection cut under a POST
//   or PUT), or a write that fails before it is done (fail_next_write);
// - a field Redmine silently leaves out (ignore_field: a role that may not set it);
// - an issue a person closes or deletes meanwhile (close_by_person, delete_by_person).
// Redmine's rules kept: a child is refused (422) under a closed or missing parent; an issue
// with open subtasks keeps its status when asked to close (Redmine hides the closed statuses);
// notes become journals with the clock's time; searches know the filters the sink sends.
// The real Redmine is tested against the real Redmine (label `redmine`): that proves the client.
#pragma once

#include "clock.hpp"
#include "tracker.hpp"

#include <map>
#include <set>
#include <string>
#include <tuple>
#include <vector>

namespace rgtest {

// A clock a test moves by hand.
class ManualClock final : public tg::redmine::Clock {
  public:
    explicit ManualClock(int64_t unix_seconds) : now_(std::chrono::seconds(unix_seconds)) {}
    tg::redmine::TimePoint now() const override { return now_; }
    void advance(std::chrono::nanoseconds by) { now_ += by; }

  private:
    tg::redmine::TimePoint now_;
};

class FakeTracker final : public tg::redmine::Tracker {
  public:
    // Statuses: 1 New (the tracker's default), 2 In Progress, 3 持ち越し, 5 Closed, 6 Rejected
    // (5 and 6 closed). Priorities: 1 Low, 2 Normal (default), 3 High, 4 Urgent.
    static constexpr int64_t kNew = 1, kCarryOver = 3, kClosed = 5, kRejected = 6;

    explicit FakeTracker(const tg::redmine::Clock& clock) : clock_(clock) {}

    Poco::JSON::Object::Ptr find_issue(int64_t id, tg::redmine::IssueDetail detail) override;
    Poco::JSON::Object::Ptr create_issue(const Poco::JSON::Object& fields,
                                         const std::string& summary) override;
    void update_issue(int64_t id, const Poco::JSON::Object& fields,
                      const std::string& summary) override;
    tg::redmine::IssueList search_issues(const tg::redmine::IssueQuery& query) override;
    Poco::JSON::Object::Ptr read(const std::string& path) override;
    std::string read_page(const std::string& path) override;
    bool dry_run() const override { return dry_run_; }
    // As the client in a dry run: writes are counted as calls and not made; a create answers a
    // stand-in issue with a negative id.
    void set_dry_run(bool on) { dry_run_ = on; }

    // Faults.
    void lose_next_answer() { lose_answers_ = 1; }
    void fail_next_write(int writes = 1) { fail_writes_ = writes; }
    void ignore_field(const std::string& name) { ignored_fields_.insert(name); }
    void close_by_person(int64_t id, int64_t status = kClosed);
    void delete_by_person(int64_t id) { issues_.erase(id); }

    // What the tracker holds.
    size_t issue_count() const { return issues_.size(); }
    // Ids of the issues with this subject, oldest first.
    std::vector<int64_t> with_subject(const std::string& subject) const;
    int64_t only(const std::string& subject) const;  // the one such issue; throws otherwise
    int64_t parent(int64_t id) const;
    int64_t status(int64_t id) const;
    bool closed(int64_t id) const;
    std::vector<std::string> notes(int64_t id) const;
    // Writes that reached the tracker (a lost answer's included), and every call made.
    int writes() const { return writes_; }
    int calls() const { return calls_; }

  private:
    struct Issue {
        int64_t id = 0;
        std::string subject, description;
        int64_t status = kNew, priority = 2, parent = 0, tracker = 1;
        int64_t created_on = 0, updated_on = 0, closed_on = 0;
        std::map<int64_t, std::string> custom_fields;
        struct Journal {
            std::string notes;
            int64_t created_on = 0;
            std::vector<std::tuple<std::string, int64_t, int64_t>> details;  // attr, old, new
        };
        std::vector<Journal> journals;
    };
    void begin_call(bool write);  // counts, and throws what fail_next_write asked for
    void end_write();             // throws what lose_next_answer asked for
    // Applies `fields` onto `issue` as Redmine saves them; throws tg::Drop as Redmine's 422.
    void assign(Issue& issue, const Poco::JSON::Object& fields);
    Poco::JSON::Object::Ptr to_json(const Issue& issue, tg::redmine::IssueDetail detail) const;
    bool matches(const Issue& issue, const std::string& name, const std::string& value) const;
    const Issue& at(int64_t id) const;
    bool has_open_children(int64_t id) const;
    int64_t now() const;

    const tg::redmine::Clock& clock_;
    std::map<int64_t, Issue> issues_;
    int64_t next_id_ = 1;
    int lose_answers_ = 0, fail_writes_ = 0, writes_ = 0, calls_ = 0;
    std::set<std::string> ignored_fields_;
    bool dry_run_ = false;
    int64_t dry_ids_ = -1000;
};

}  // namespace rgtest
