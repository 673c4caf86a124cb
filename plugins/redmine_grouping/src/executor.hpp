// Carries out the planner's actions for one alert: Redmine writes through the client, each
// followed at once by its record in the state (so a retry after a failure repeats nothing), and
// a read-back after every status change because Redmine silently ignores the ones it refuses.
#pragma once

#include "alert.hpp"
#include "clock.hpp"
#include "config.hpp"
#include "issue_json.hpp"
#include "planner.hpp"
#include "state_store.hpp"
#include "status_catalog.hpp"
#include "text.hpp"
#include "text_format.hpp"
#include "ticket_fields.hpp"
#include "tracker.hpp"
#include "tree_readback.hpp"

#include <tickets_grouping/sink.hpp>

#include <optional>

namespace tg::redmine {

class Executor {
  public:
    Executor(const Config& config, Tracker& tracker, StateStore& store, StatusCatalog& statuses,
             const TextBuilder& text, TextFormatting& formats, TicketFields& fields,
             const tg::HostServices& host, const Clock& clock)
        : config_(config),
          tracker_(tracker),
          store_(store),
          statuses_(statuses),
          text_(text),
          formats_(formats),
          fields_(fields),
          host_(host),
          clock_(clock) {}

    void apply(const Alert& alert, const std::string& external_url, TimePoint now);
    // apply() under the alert's group lock: replicas sharing the store take turns per Root key
    // (the alertname by default), since a group's Root and tickets are decided from state that
    // one of them changes at a time. What a delivery and the reconcile hook call.
    void apply_in_group(const Alert& alert, const std::string& external_url, TimePoint now);

    // Sets a status with optional notes and reads it back; throws tg::Drop when Redmine kept
    // another status. Skips the read-back in a dry run.
    void change_status(int64_t issue_id, int64_t status_id, const std::string& notes,
                       const std::string& why);

    // flap_window: writes the summary note of a ticket's folded changes (with the status its
    // alert's latest state calls for under close_on_resolve) and forgets the window. Returns
    // whether a note was written: none when nothing was folded or the issue is gone.
    bool summarise_flap(const std::string& key, const FlapState& flap, TimePoint now);

    // max_children: writes the batch notes waiting on Roots, each under its group's lock.
    // After a delivery (`at_most_one_a_minute`) a Root that had one less than a minute ago
    // waits for the root_batches hook, which writes them all. Returns the notes written.
    int write_batches(TimePoint now, bool at_most_one_a_minute);

    // A note on an issue, sent once even when an answer is lost (put_with_notes).
    void note(int64_t issue_id, const std::string& notes, const std::string& why);

  private:
    // What run() came to: every action done, or a replan: Redmine refused a child under a Root
    // a person closed, the state forgot that Root, and the alert is planned again.
    enum class RunOutcome { done, replan };
    struct Created {
        int64_t id = 0;
        int64_t parent = 0;
    };

    AlertFacts facts_for(const Alert& alert, const std::string& key);
    GroupFacts group_for(const std::string& group, const std::string& key);
    void verify(AlertFacts& facts, const std::string& group);
    // Whether a status is one of wont_fix_statuses (resolved against Redmine when first needed).
    bool wont_fix_status(int64_t status_id);
    // update_priority: keeps the ticket's firing alerts and moves its priority to the most
    // urgent of theirs, with a note, unless a person changed it. `created`: this alert's plan
    // created the ticket (with that priority already).
    void follow_priority(const Alert& alert, const std::string& key, bool created);
    // flap_window: opens the ticket's window, or counts a change folded into it.
    void record_flap(const Plan& plan, const AlertFacts& facts, int64_t now_unix);
    RunOutcome run(const Plan& plan, const AlertFacts& facts, const std::string& group,
                   const TextContext& context);
    // The plan's creates: the new issue's id, nothing for a replan (create()).
    std::optional<int64_t> create_root(const std::string& group, const TextContext& context);
    std::optional<int64_t> create_ticket(const AlertFacts& facts, const std::string& group,
                                         int64_t parent, const TextContext& context);
    // Every other action, on an issue Redmine has (`issue`, and `parent` for set_parent).
    RunOutcome update(const Action& action, int64_t issue, int64_t parent,
                      const TextContext& context);
    void counted(const char* action);
    // max_children: records the change of a host listed on the Root `root_id`.
    void list_host(const Action& action, int64_t root_id, const TextContext& context);
    bool write_batch(int64_t root_id, TimePoint now, bool at_most_one_a_minute);
    // `key` is the state's name for the issue (and the alert_key_field's value). Nothing when
    // Redmine refused it under a Root a person closed (forget_closed_root): plan again.
    std::optional<Created> create(const std::string& key, const std::string& subject,
                                  const std::string& description, int64_t parent,
                                  const TextContext& context, bool root);
    // Returns the parent Redmine kept (read back); nothing as for create().
    std::optional<int64_t> set_parent(int64_t issue_id, int64_t parent_id);
    // The sink's first issue was written format-neutral: now that its page showed Redmine's
    // formatting, its description is written again in it.
    void rewrite_description(int64_t issue_id, const std::string& sent, const TextContext& context);
    void put_with_notes(int64_t issue_id, const Poco::JSON::Object& fields,
                        const std::string& notes, const std::string& why);
    // After Redmine refused a write under `parent_id`: whether that Root is closed or gone (the
    // state then forgets it and closes its children's records); false leaves the refusal as it is.
    bool forget_closed_root(int64_t parent_id);
    // Logs, counts and keeps for apply() what Redmine silently left out (tree_readback.hpp).
    void report(const std::vector<DroppedField>& dropped);

    const Config& config_;
    Tracker& tracker_;
    StateStore& store_;
    StatusCatalog& statuses_;
    const TextBuilder& text_;
    TextFormatting& formats_;
    TicketFields& fields_;
    const tg::HostServices& host_;
    const Clock& clock_;
    std::vector<std::string> dropped_;  // of the alert being applied
};

}  // namespace tg::redmine
