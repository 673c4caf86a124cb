// The dead letters of a spool, for the operator's `dead-letters` command: read them, put them
// back in their sinks' queues, or discard them into a log kept for the dead letters' retention.
// It works on the store beside a running host (SQLite's WAL, PostgreSQL's transactions) and
// creates no sink instance: the host's workers take a retried delivery at their next look.
#pragma once

#include "spool/attempt_history.hpp"
#include "spool/store_url.hpp"

#include <Poco/Data/Session.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace tg::host {

struct DeadLetter {
    int64_t id = 0;
    std::string sink;
    std::string route;
    std::string payload;  // the notification as the sink was given it
    std::string idempotency_key;
    int64_t created_ms = 0;  // accepted at the webhook
    int64_t failed_ms = 0;   // moved to the dead letters
    uint32_t attempts = 0;
    std::string reason;  // the last error
    // The failed attempts with their errors, oldest first (the last kAttemptsKept); empty for a
    // dead letter of a spool older than the history.
    std::vector<FailedAttempt> history;
};

// Which dead letters a retry or a discard takes: `ids`, or every one (of `sink` if not "").
struct DeadLetterSelection {
    std::vector<int64_t> ids;
    bool all = false;
    std::string sink;
};

class DeadLetterStore {
  public:
    explicit DeadLetterStore(const StoreUrl& store);
    DeadLetterStore(const DeadLetterStore&) = delete;
    DeadLetterStore& operator=(const DeadLetterStore&) = delete;
    ~DeadLetterStore();  // closes the session with tg::sql::close_session() (Poco 1.11's leak)

    std::vector<DeadLetter> list(const std::string& sink = "");  // oldest first
    std::optional<DeadLetter> find(int64_t id);
    // The `limit` newest, newest first, their payloads left empty (the status page's).
    std::vector<DeadLetter> latest(size_t limit);
    // The dead letters a retry or a discard of `selection` takes, oldest first.
    std::vector<DeadLetter> select(const DeadLetterSelection& selection);
    // Each goes to the end of its sink's queue, with its idempotency key, due now. Returns the
    // ids moved; an id that is not a dead letter (of `sink`) is left out.
    std::vector<int64_t> retry(const DeadLetterSelection& selection);
    // Moved to the discard log (pruned after server.dead_letter_retention). Returns the ids.
    std::vector<int64_t> discard(const DeadLetterSelection& selection);

  private:
    template <class Move>
    std::vector<int64_t> move_each(const DeadLetterSelection& selection, Move move);

    StoreUrl store_;
    Poco::Data::Session session_;
};

}  // namespace tg::host
