// The grouping rules, decided without HTTP or SQL: given what the state knows about one alert
// and its alertname, return the Redmine actions to take. The executor carries them out.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace tg::redmine {

struct IssueState {
    int64_t id = 0;
    bool open = true;
    int64_t parent_id = 0;
    int64_t closed_at = 0;  // unix seconds when it was seen closed (0 = unknown)
    int64_t synced_at = 0;  // unix seconds: Redmine's content was known up to here (create/rebuild)
};

struct Episode {
    std::string fingerprint;
    std::string starts_at;  // Alert::episode_start()
    bool firing = true;
    bool operator==(const Episode&) const = default;
};

// Another alert of the same alertname whose issue the state believes open.
struct HostIssue {
    std::string key;
    int64_t issue_id = 0;
    int64_t parent_id = 0;
};

struct AlertFacts {
    std::string key;             // the alert's subject: unique per (alertname, instance)
    Episode episode;             // the incoming one
    int64_t starts_at_unix = 0;  // 0 when the alert carries no startsAt
    std::optional<IssueState> issue;
    std::optional<Episode> last;
    bool verified = false;  // the executor has just read the issue from Redmine
};

struct GroupFacts {
    int64_t open_root = 0;               // the alertname's Root if it is believed open
    std::vector<HostIssue> other_hosts;  // open issues of the alertname, this alert's excluded
};

struct PlanOptions {
    bool close_on_resolve = false;
    std::chrono::seconds reopen_window{0};
    int64_t now_unix = 0;
};

// Targets that only exist once an earlier action of the same plan has run.
inline constexpr int64_t kNewRoot = -1;
inline constexpr int64_t kNewIssue = -2;

enum class ActionKind {
    create_root,      // POST the Root of the alertname
    create_issue,     // POST the alert's issue under `parent` (0 = none)
    set_parent,       // PUT parent_issue_id = parent on `issue` (of alert `key`)
    note_recurrence,  // PUT a 再発 note on `issue`
    note_resolved,    // PUT a 解消 note on `issue`, with the done status if `close`
    reopen,           // PUT the tracker's default open status and a note on `issue`
    close_root,       // PUT the done status on the Root `issue`
};

struct Action {
    ActionKind kind;
    int64_t issue = 0;
    int64_t parent = 0;
    std::string key;
    bool close = false;
    bool operator==(const Action&) const = default;
};

struct Plan {
    // Set when the issue must be read from Redmine first (a new episode on an issue the state
    // believes open may meet an issue a person closed): read it, update the facts, plan again.
    int64_t verify_issue = 0;
    std::vector<Action> actions;
    bool record_episode = false;  // false only for a repeat: nothing at all to do
};

Plan plan_alert(const AlertFacts& alert, const GroupFacts& group, const PlanOptions& options);

}  // namespace tg::redmine
