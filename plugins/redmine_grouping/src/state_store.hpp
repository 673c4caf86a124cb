// The sink's memory: which issue belongs to which alert, the Roots, the last episode of each
// alert, the applied idempotency keys and the create intents. SQLite (WAL) under state_dir.
#pragma once

#include "planner.hpp"

#include <Poco/Data/Session.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace tg::redmine {

struct RootState {
    int64_t id = 0;
    bool open = true;
};

class StateStore {
  public:
    explicit StateStore(std::string path);

    const std::string& path() const { return path_; }
    // A state file deleted under a running sink is recreated empty (and then rebuilt).
    void reopen_if_deleted();

    bool needs_rebuild();
    void mark_rebuilt(int64_t now_unix);
    void clear();

    std::optional<IssueState> issue(const std::string& key);
    void put_issue(const std::string& key, const std::string& alertname, const IssueState& issue);
    void set_parent(int64_t issue_id, int64_t parent_id);
    void set_open(int64_t issue_id, bool open, int64_t closed_at);
    // Redmine keeps no open child under a closed parent: a closed Root's children are closed.
    void close_children(int64_t parent_id, int64_t closed_at);
    void forget_issue(const std::string& key);
    std::vector<HostIssue> open_hosts(const std::string& alertname);

    std::optional<RootState> root(const std::string& alertname);
    void put_root(const std::string& alertname, const RootState& root);
    void set_root_open(int64_t issue_id, bool open);

    std::optional<Episode> episode(const std::string& key);
    void put_episode(const std::string& key, const Episode& episode);

    bool applied(const std::string& idempotency_key);
    void mark_applied(const std::string& idempotency_key, int64_t now_unix);
    void prune_applied(int64_t before_unix);

    std::optional<int64_t> intent(const std::string& subject);
    void put_intent(const std::string& subject, int64_t now_unix);
    void clear_intent(const std::string& subject);

    // Nested transactions; a dry run rolls its outermost one back.
    void savepoint(const std::string& name);
    void release(const std::string& name);
    void rollback_to(const std::string& name);

  private:
    void open();
    std::string path_;
    std::unique_ptr<Poco::Data::Session> session_;
};

}  // namespace tg::redmine
