// The spool's scheduled hooks (one run per slot across replicas) and the leases of the work in
// progress.
#include "spool/spool.hpp"

#include "spool/spool_sql.hpp"
#include "spool/store_session.hpp"

#include <Poco/Data/Statement.h>

using namespace Poco::Data::Keywords;

namespace tg::host {

std::optional<int64_t> Spool::hook_last_slot(const std::string& sink, const std::string& hook) {
    return with_dispatch([&](Poco::Data::Session& session) -> std::optional<int64_t> {
        int64_t slot = 0, until = 0;
        std::string s = sink, h = hook, runner;
        Poco::Data::Statement select(session);
        select << sql(spool_sql::read_hook_run), use(s), use(h), into(slot), into(runner),
            into(until);
        if (select.execute() == 0) return std::nullopt;
        return slot;
    });
}

void Spool::set_hook_last_slot(const std::string& sink, const std::string& hook, int64_t slot_ms) {
    with_dispatch([&](Poco::Data::Session& session) {
        std::string s = sink, h = hook;
        session << sql(spool_sql::write_hook_run), use(s), use(h), use(slot_ms), now;
    });
}

int64_t Spool::init_hook(const std::string& sink, const std::string& hook, int64_t start_ms) {
    with_dispatch([&](Poco::Data::Session& session) {
        std::string s = sink, h = hook;
        session << sql(spool_sql::insert_hook_run), use(s), use(h), use(start_ms), now;
    });
    return hook_last_slot(sink, hook).value_or(start_ms);
}

HookClaim Spool::claim_hook_run(const std::string& sink, const std::string& hook,
                                int64_t last_slot_ms) {
    HookClaim result = with_dispatch([&](Poco::Data::Session& session) {
        HookClaim claim;
        std::string s = sink, h = hook;
        int64_t current = now_ms(), until = current + lease_.count(), expected = last_slot_ms;
        Poco::Data::Statement update(session);
        update << sql(spool_sql::claim_hook_run), use(owner_), use(until), use(s), use(h),
            use(expected), use(current);
        if (update.execute() == 1) {
            claim.claimed = true;
            claim.last_slot_ms = last_slot_ms;
            return claim;
        }
        std::string runner;
        Poco::Data::Statement select(session);
        select << sql(spool_sql::read_hook_run), use(s), use(h), into(claim.last_slot_ms),
            into(runner), into(claim.busy_until_ms);
        if (select.execute() == 0) {
            // Not recorded (a new store, or rows removed by hand): record it and run it.
            session << sql(spool_sql::insert_hook_run), use(s), use(h), use(expected), now;
            claim.last_slot_ms = expected;
            claim.busy_until_ms = 0;
        }
        return claim;
    });
    if (result.claimed) {
        std::lock_guard lock(held_mutex_);
        held_hooks_.emplace(sink, hook);
    }
    return result;
}

void Spool::finish_hook_run(const std::string& sink, const std::string& hook, int64_t slot_ms) {
    {
        std::lock_guard lock(held_mutex_);
        held_hooks_.erase({sink, hook});
    }
    with_dispatch([&](Poco::Data::Session& session) {
        std::string s = sink, h = hook;
        session << sql(spool_sql::finish_hook_run), use(slot_ms), use(s), use(h), use(owner_), now;
    });
}

void Spool::fail_hook_run(const std::string& sink, const std::string& hook,
                          int64_t retry_after_ms) {
    {
        std::lock_guard lock(held_mutex_);
        held_hooks_.erase({sink, hook});
    }
    with_dispatch([&](Poco::Data::Session& session) {
        std::string s = sink, h = hook;
        session << sql(spool_sql::fail_hook_run), use(retry_after_ms), use(s), use(h), use(owner_),
            now;
    });
}

// ---------------------------------------------------------------- leases

// Pushes the leases of the work in progress forward, a third of a lease at a time, so that they
// expire only when this replica stops (dies, hangs its process, loses the store).
void Spool::lease_loop() {
    const auto period = std::min(lease_ / 3, prune_every_);
    auto last_prune = std::chrono::steady_clock::now();
    for (;;) {
        {
            std::unique_lock lock(queue_mutex_);
            if (lease_cv_.wait_for(lock, period, [&] { return stopping_; })) return;
        }
        if (std::chrono::steady_clock::now() - last_prune >= prune_every_) {
            last_prune = std::chrono::steady_clock::now();
            try {
                prune_dead_letters();
            } catch (const std::exception&) {
                // The store is unreachable: the next round tries again.
            }
        }
        std::vector<int64_t> deliveries;
        std::vector<std::pair<std::string, std::string>> hooks;
        {
            std::lock_guard lock(held_mutex_);
            deliveries.assign(held_deliveries_.begin(), held_deliveries_.end());
            hooks.assign(held_hooks_.begin(), held_hooks_.end());
        }
        if (deliveries.empty() && hooks.empty()) continue;
        try {
            with_dispatch([&](Poco::Data::Session& session) {
                int64_t until = now_ms() + lease_.count();
                for (int64_t id : deliveries)
                    session << sql(spool_sql::renew_delivery_lease), use(until), use(id),
                        use(owner_), now;
                for (auto& [sink, hook] : hooks)
                    session << sql(spool_sql::renew_hook_lease), use(until), use(sink), use(hook),
                        use(owner_), now;
            });
        } catch (const std::exception&) {
            // The store is unreachable: the next round tries again; if it stays so, the leases
            // expire and another replica takes the work over, which is what should happen.
        }
    }
}

}  // namespace tg::host
