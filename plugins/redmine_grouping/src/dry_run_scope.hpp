// A delivery's dry run, on for the scope's life on the two objects that carry it: the client
// (which logs each write instead of sending it) and the state (whose changes are undone at the
// end). Off again on every way out of the delivery, a throw included, so that no later real
// delivery runs in a dry run.
#pragma once

#include "redmine_client.hpp"
#include "state_store.hpp"

#include <tickets_grouping/sink.hpp>

namespace tg::redmine {

class DryRunScope {
  public:
    // Does nothing unless `dry_run`.
    DryRunScope(bool dry_run, RedmineClient& client, StateStore& store,
                const tg::HostServices& host);
    // Ends a dry run end() did not (an exception left the delivery); never throws.
    ~DryRunScope();
    DryRunScope(const DryRunScope&) = delete;
    DryRunScope& operator=(const DryRunScope&) = delete;

    // Undoes the state's changes and turns the client back to real writes; throws what the
    // state's rollback throws (the client is turned back first).
    void end();

  private:
    RedmineClient* client_ = nullptr;  // null: no dry run, or ended
    StateStore& store_;
    const tg::HostServices& host_;
};

}  // namespace tg::redmine
