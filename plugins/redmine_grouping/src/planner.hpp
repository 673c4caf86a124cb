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

// Both starts known and at most `tolerance` apart (Alert::episode_start: nanoseconds), or one
// the other cut to the millisecond (Alertmanager's API), whatever the tolerance.
bool same_start(const Episode& a, const Episode& b, std::chrono::seconds tolerance);

// A ticket's changes being folded (flap_window): the window opened with a change that was
// noted as usual; the changes after it are only counted here until the flap_summary hook
// writes them as one note.
struct FlapState {
    int64_t issue_id = 0;
    int64_t started_at = 0;   // unix seconds of the change that opened the window
    int64_t last_change = 0;  // unix seconds of the latest change, folded or not
    int64_t recurrences = 0;  // folded re-fires
    int64_t resolutions = 0;  // folded resolves
    bool firing = false;      // the alert's state after its latest change
    bool operator==(const FlapState&) const = default;
};

// max_children: a host past its Root's limit has no ticket; its changes are listed on the Root.
struct ListedHost {
    int64_t root_id = 0;
    bool firing = false;
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
    std::optional<FlapState> flap;
    bool wont_fix = false;             // verified: a person closed the issue with a wont_fix status
    std::optional<ListedHost> listed;  // max_children: listed on a Root instead of a ticket
};

struct GroupFacts {
    int64_t open_root = 0;               // the alertname's Root if it is believed open
    std::vector<HostIssue> other_hosts;  // open issues of the alertname, this alert's excluded
    // max_children: the tickets under the open Root (open or closed), and the other hosts
    // listed on it that fire.
    int64_t root_tickets = 0;
    int64_t listed_firing = 0;
};

struct PlanOptions {
    bool close_on_resolve = false;
    std::chrono::seconds reopen_window{0};
    int64_t now_unix = 0;
    std::chrono::seconds flap_window{0};  // 0: every change is noted as it comes
    bool wont_fix = false;                // wont_fix_statuses are set: a closed issue is read first
    // Config::episode_tolerance; 0 here (the planner's tests): only an equal startsAt matches.
    std::chrono::seconds episode_tolerance{0};
    int64_t max_children = 0;  // tickets per Root; past it hosts are listed on it (0: no limit)
};

// The issue an action concerns: one Redmine has (its id; 0 = none), or one an earlier action of
// the same plan creates, whose id is known only once that action has run (kNewRoot, kNewIssue).
// Not a number: the executor resolves it (Executor::run), nothing does arithmetic on it.
class IssueRef {
  public:
    enum class Pending { no, root, issue };
    // A Redmine id reads as one (`{ActionKind::note_recurrence, issue->id}`).
    constexpr IssueRef(int64_t id = 0) : id_(id) {}  // NOLINT(google-explicit-constructor)
    constexpr explicit IssueRef(Pending pending) : pending_(pending) {}

    constexpr Pending pending() const { return pending_; }
    // The id of an issue Redmine has; 0 for none and for one still to be created.
    constexpr int64_t existing_id() const { return pending_ == Pending::no ? id_ : 0; }
    constexpr explicit operator bool() const { return pending_ != Pending::no || id_ != 0; }
    constexpr bool operator==(const IssueRef&) const = default;

  private:
    Pending pending_ = Pending::no;
    int64_t id_ = 0;
};
inline constexpr IssueRef kNewRoot{IssueRef::Pending::root};
inline constexpr IssueRef kNewIssue{IssueRef::Pending::issue};

enum class ActionKind {
    create_root,      // POST the Root of the alertname
    create_issue,     // POST the alert's issue under `parent` (0 = none)
    set_parent,       // PUT parent_issue_id = parent on `issue` (of alert `key`)
    note_recurrence,  // PUT a 再発 note on `issue`
    note_resolved,    // PUT a 解消 note on `issue`, with the done status if `close`
    reopen,           // PUT the tracker's default open status and a note on `issue`
    close_root,       // PUT the done status on the Root `issue`
    list_host,        // no ticket (max_children): the change waits for the Root `issue`'s batch
};

// What a host listed on its Root did (list_host).
enum class HostChange { none, fired, refired, resolved };

struct Action {
    ActionKind kind;
    IssueRef issue;
    IssueRef parent;
    std::string key;
    bool close = false;
    HostChange change = HostChange::none;
    bool operator==(const Action&) const = default;
};

enum class FlapStep {
    none,
    start,  // the plan notes a change: a flap window opens with it
    fold,   // a change inside the window: nothing is written, the window counts it
};

struct Plan {
    // Set when the issue must be read from Redmine first (a new episode on an issue the state
    // believes open may meet an issue a person closed): read it, update the facts, plan again.
    int64_t verify_issue = 0;
    std::vector<Action> actions;
    bool record_episode = false;  // false only for a repeat: nothing at all to do
    FlapStep flap = FlapStep::none;
    // A re-fire of a ticket closed as "won't fix" (within reopen_window, or ever with it 0):
    // nothing is written; the executor counts and logs it.
    bool wont_fix = false;
};

// Whether a ticket's folded changes are due for their summary: stable for the whole window.
bool flap_settled(const FlapState& flap, std::chrono::seconds window, int64_t now_unix);

Plan plan_alert(const AlertFacts& alert, const GroupFacts& group, const PlanOptions& options);

// What a plan does, in the words of `routes test` and the dry runs: "create the ticket",
// "create the Root, join the Root (#11), create the ticket under the Root", "再発 note (#12)",
// "reopen (#12)", or "nothing" with why.
std::string describe_plan(const Plan& plan);

}  // namespace tg::redmine
