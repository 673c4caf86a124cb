// The spool's deliveries: claimed by the sink's worker, completed, rescheduled or moved to the
// dead letters, and counted.
#include "spool/spool.hpp"

#include "spool/attempt_history.hpp"

#include "spool/spool_sql.hpp"
#include "spool/store_session.hpp"

#include <Poco/Data/Statement.h>

#include <algorithm>

using namespace Poco::Data::Keywords;

namespace tg::host {

std::string Spool::history_of(Poco::Data::Session& session, int64_t id) const {
    std::string history;
    Poco::Data::Statement select(session);
    select << sql(spool_sql::history_of_delivery), use(id), into(history);
    select.execute();
    return history;
}

Claim Spool::claim(const std::string& sink) {
    Claim result = with_dispatch([&](Poco::Data::Session& session) {
        Claim claim;
        SpooledDelivery d;
        d.sink = sink;
        std::string holder;
        int64_t held_until = 0;
        uint32_t in_call = 0;
        Poco::Data::Statement select(session);
        select << sql(spool_sql::head_of_sink), use(d.sink), into(d.id), into(d.route),
            into(d.payload), into(d.idempotency_key), into(d.created_ms), into(d.next_ms),
            into(d.attempts), into(d.last_error), into(holder), into(held_until), into(in_call),
            into(d.interrupted);
        if (select.execute() == 0) {
            // The sink has nothing left: the moment to give a backlog's space back. Here, not
            // in complete(), so that deliveries in a stream pay nothing for it.
            if (store_.kind == StoreUrl::Kind::sqlite) compact_if_drained(session);
            return claim;
        }
        const int64_t current = now_ms();
        claim.waiting = true;
        if (d.next_ms > current) {
            claim.retry_at_ms = d.next_ms;
            return claim;
        }
        if (!holder.empty() && holder != owner_ && held_until >= current) {
            claim.held_elsewhere = true;
            claim.retry_at_ms = held_until + 1;
            return claim;
        }
        int64_t until = current + lease_.count();
        Poco::Data::Statement update(session);
        update << sql(spool_sql::claim_delivery), use(owner_), use(until), use(d.id),
            use(d.attempts), bind(current), use(owner_), bind(current);
        if (update.execute() != 1) {
            // Another replica was quicker, or the row changed: read it again.
            claim.held_elsewhere = true;
            claim.retry_at_ms = current;
            return claim;
        }
        claim.waiting = false;
        d.interrupted += in_call;  // as the claim just recorded
        if (!holder.empty() && holder != owner_) claim.taken_over_from = holder;
        claim.delivery = std::move(d);
        return claim;
    });
    if (result.delivery) {
        std::lock_guard lock(held_mutex_);
        held_deliveries_.insert(result.delivery->id);
    }
    return result;
}

std::optional<SpooledDelivery> Spool::lease_row(Poco::Data::Session& session,
                                                const std::string& sink, int64_t id,
                                                uint32_t attempts, int64_t current) {
    int64_t until = current + lease_.count();
    Poco::Data::Statement update(session);
    update << sql(spool_sql::claim_delivery), use(owner_), use(until), use(id), use(attempts),
        bind(current), use(owner_), bind(current);
    if (update.execute() != 1) return std::nullopt;
    SpooledDelivery d;
    d.id = id;
    d.sink = sink;
    uint32_t in_call = 0;
    Poco::Data::Statement select(session);
    select << sql(spool_sql::delivery_by_id), use(d.id), into(d.route), into(d.payload),
        into(d.idempotency_key), into(d.created_ms), into(d.next_ms), into(d.attempts),
        into(d.last_error), into(in_call), into(d.interrupted), into(d.group_key);
    if (select.execute() == 0) return std::nullopt;
    d.attempts = attempts;  // before this claim, as claim() gives it (the row counts it already)
    return d;
}

Claim Spool::claim_group_head(const std::string& sink) {
    return with_dispatch([&](Poco::Data::Session& session) {
        Claim claim;
        std::string name = sink;
        std::vector<int64_t> ids, next, until;
        std::vector<uint32_t> attempts;
        std::vector<std::string> owners;
        session << sql(spool_sql::heads_of_groups), use(name), into(ids), into(next),
            into(attempts), into(owners), into(until), now;
        if (ids.empty()) {
            if (store_.kind == StoreUrl::Kind::sqlite) compact_if_drained(session);
            return claim;
        }
        const int64_t current = now_ms();
        claim.waiting = true;
        // Heads this replica's workers hold wake the others when done: no time to wait for.
        claim.retry_at_ms = current + lease_.count();
        for (size_t i = 0; i < ids.size(); ++i) {
            if (next[i] > current) {
                claim.retry_at_ms = std::min(claim.retry_at_ms, next[i]);
                continue;
            }
            {
                // Under the dispatch connection's lock, as the insert below: two workers of this
                // replica never take one row.
                std::lock_guard lock(held_mutex_);
                if (held_deliveries_.count(ids[i])) continue;
            }
            if (!owners[i].empty() && owners[i] != owner_ && until[i] >= current) {
                claim.held_elsewhere = true;
                claim.retry_at_ms = std::min(claim.retry_at_ms, until[i] + 1);
                continue;
            }
            auto d = lease_row(session, name, ids[i], attempts[i], current);
            if (!d) {  // another replica was quicker, or the row changed: look again soon
                claim.held_elsewhere = true;
                claim.retry_at_ms = current;
                continue;
            }
            if (!owners[i].empty() && owners[i] != owner_) claim.taken_over_from = owners[i];
            {
                std::lock_guard lock(held_mutex_);
                held_deliveries_.insert(d->id);
            }
            claim.waiting = false;
            claim.held_elsewhere = false;
            claim.delivery = std::move(*d);
            return claim;
        }
        return claim;
    });
}

void Spool::complete(int64_t id) {
    // Delivered is delivered: the row goes even if the lease was lost meanwhile.
    with_dispatch([&](Poco::Data::Session& session) {
        session << sql(spool_sql::delete_delivery), use(id), now;
    });
    std::lock_guard lock(held_mutex_);
    held_deliveries_.erase(id);
}

bool Spool::reschedule(int64_t id, uint32_t attempts, int64_t next_ms, const std::string& error) {
    const bool ours = with_dispatch([&](Poco::Data::Session& session) {
        std::string text = error;
        std::string history = append_attempt(history_of(session, id), {now_ms(), attempts, error});
        Poco::Data::Statement update(session);
        update << sql(spool_sql::reschedule_delivery), use(attempts), use(next_ms), use(text),
            use(history), use(id), use(owner_);
        return update.execute() == 1;
    });
    std::lock_guard lock(held_mutex_);
    held_deliveries_.erase(id);
    return ours;
}

bool Spool::dead_letter(const SpooledDelivery& d, uint32_t attempts, const std::string& reason) {
    const bool ours = with_dispatch([&](Poco::Data::Session& session) {
        int64_t failed = now_ms();
        std::string why = reason;
        SpooledDelivery row = d;
        session.begin();
        try {
            std::string history =
                append_attempt(history_of(session, row.id), {failed, attempts, reason});
            Poco::Data::Statement remove(session);
            remove << sql(spool_sql::delete_leased_delivery), use(row.id), use(owner_);
            const bool removed = remove.execute() == 1;
            if (removed)
                session << sql(spool_sql::insert_dead_letter), use(row.sink), use(row.route),
                    use(row.payload), use(row.idempotency_key), use(row.created_ms), use(failed),
                    use(attempts), use(why), use(history), now;
            session.commit();
            return removed;
        } catch (...) {
            rollback_quietly(session);
            throw;
        }
    });
    std::lock_guard lock(held_mutex_);
    held_deliveries_.erase(d.id);
    return ours;
}

// SQLite only (PostgreSQL's autovacuum does this for its tables). SQLite keeps the pages of
// deleted rows inside the file, so a spool that once held a backlog would keep its peak size for
// ever. Once the spool has drained with at least compact_min_free_pages free, it is rewritten
// (VACUUM: it copies only the live rows, which a drained spool has none of, so it takes
// milliseconds) and the WAL is emptied. While deliveries wait nothing is done: new rows reuse the
// free pages. Not incremental auto-vacuum: its pointer-map pages cost every commit something, and
// this costs nothing until a backlog has gone. Best effort: a failure waits for the next drain.
void Spool::compact_if_drained(Poco::Data::Session& session) noexcept {
    try {
        int free_pages = 0;
        session << "PRAGMA freelist_count", into(free_pages), now;
        if (free_pages < spool_sql::compact_min_free_pages) return;
        int pending = 0;
        session << spool_sql::any_delivery, into(pending), now;
        if (pending > 0) return;
        session << "VACUUM", now;
        // The WAL is copied back and cut to zero bytes; the file shrinks with it.
        checkpointer_.truncate(session);
    } catch (...) {
    }
}

std::vector<std::pair<std::string, int64_t>> Spool::dead_letter_removed_sinks(
    const std::set<std::string>& configured, const std::string& reason) {
    auto moved = with_dispatch([&](Poco::Data::Session& session) {
        std::vector<std::string> spooled;
        session << sql(spool_sql::spooled_sinks), into(spooled), now;
        std::vector<std::pair<std::string, int64_t>> result;
        for (auto& sink : spooled) {
            if (configured.count(sink)) continue;
            std::vector<int64_t> ids, created;
            std::vector<std::string> routes, payloads, keys, histories;
            std::vector<uint32_t> attempts;
            session << sql(spool_sql::rows_of_sink), use(sink), into(ids), into(routes),
                into(payloads), into(keys), into(created), into(attempts), into(histories), now;
            int64_t count = 0, failed = now_ms();
            std::string why = reason;
            session.begin();
            try {
                for (size_t i = 0; i < ids.size(); ++i) {
                    Poco::Data::Statement remove(session);
                    remove << sql(spool_sql::delete_free_delivery), use(ids[i]), use(failed);
                    if (remove.execute() != 1) continue;
                    session << sql(spool_sql::insert_dead_letter), use(sink), use(routes[i]),
                        use(payloads[i]), use(keys[i]), use(created[i]), use(failed),
                        use(attempts[i]), use(why), use(histories[i]), now;
                    ++count;
                }
                session.commit();
            } catch (...) {
                rollback_quietly(session);
                throw;
            }
            if (count) result.emplace_back(sink, count);
        }
        if (!result.empty() && store_.kind == StoreUrl::Kind::sqlite) compact_if_drained(session);
        return result;
    });
    return moved;
}

int64_t Spool::prune_dead_letters() {
    return with_dispatch([&](Poco::Data::Session& session) {
        int64_t before = now_ms() - retention_.count();
        Poco::Data::Statement remove(session);
        remove << sql(spool_sql::prune_dead_letters), use(before);
        const auto pruned = static_cast<int64_t>(remove.execute());
        session << sql(spool_sql::prune_discarded_dead_letters), use(before), now;
        return pruned;
    });
}

SpoolStats Spool::stats() {
    return with_connection(stats_, stats_mutex_, [&](Poco::Data::Session& session) {
        SpoolStats s;
        session << sql(spool_sql::depth_and_oldest), into(s.depth), into(s.oldest_created_ms), now;
        session << sql(spool_sql::dead_letter_count), into(s.dead_letters), now;
        return s;
    });
}

std::map<std::string, SpoolStats> Spool::sink_stats() {
    return with_connection(stats_, stats_mutex_, [&](Poco::Data::Session& session) {
        std::map<std::string, SpoolStats> by_sink;
        std::vector<std::string> sinks;
        std::vector<int64_t> depths, oldest, dead;
        session << sql(spool_sql::depth_and_oldest_by_sink), into(sinks), into(depths),
            into(oldest), now;
        for (size_t i = 0; i < sinks.size(); ++i) {
            by_sink[sinks[i]].depth = depths[i];
            by_sink[sinks[i]].oldest_created_ms = oldest[i];
        }
        sinks.clear();
        session << sql(spool_sql::dead_letter_count_by_sink), into(sinks), into(dead), now;
        for (size_t i = 0; i < sinks.size(); ++i) by_sink[sinks[i]].dead_letters = dead[i];
        return by_sink;
    });
}

}  // namespace tg::host
