// max_children: a host past its Root's limit is listed on the Root (list_host), and what the
// listed hosts did is written there as one batch note (write_batches) instead of one ticket and
// one note each.
#include "executor.hpp"

#include "alert_key.hpp"

namespace tg::redmine {

namespace {

int64_t bit_of(HostChange change) {
    switch (change) {
        case HostChange::fired:
            return 1;
        case HostChange::refired:
            return 2;
        case HostChange::resolved:
            return 4;
        case HostChange::none:
            break;
    }
    return 0;
}

}  // namespace

void Executor::list_host(const Action& action, int64_t root_id, const TextContext& context) {
    ListedRecord record = store_.listed(action.key).value_or(ListedRecord{});
    if (record.root_id != root_id) record.pending = 0;  // what it did on an earlier Root is told
    record.root_id = root_id;
    record.root_key = context.root_key;
    record.host = host_of(*context.alert, config_.key_labels);
    record.firing = action.change != HostChange::resolved;
    record.pending |= bit_of(action.change);
    store_.put_listed(action.key, record, unix_seconds(context.now));
    counted("listed");
}

bool Executor::write_batch(int64_t root_id, TimePoint now, bool at_most_one_a_minute) {
    const auto pending = store_.pending_listed(root_id);
    if (pending.empty()) return false;
    const int64_t now_unix = unix_seconds(now);
    if (auto last = store_.last_batch(root_id);
        at_most_one_a_minute && last && now_unix - *last < 60)
        return false;  // the hook writes it
    BatchNote batch;
    batch.max_children = config_.max_children;
    for (const auto& r : pending) {
        if (r.pending & bit_of(HostChange::fired)) batch.fired.push_back(r.host);
        if (r.pending & bit_of(HostChange::refired)) batch.refired.push_back(r.host);
        if (r.pending & bit_of(HostChange::resolved)) batch.resolved.push_back(r.host);
    }
    batch.tickets_firing = store_.firing_tickets(root_id);
    batch.listed_firing = store_.listed_firing(root_id, "");
    formats_.ensure(root_id);
    note(root_id, text_.batch_note(batch), "batch note");
    store_.clear_pending(root_id);
    store_.put_last_batch(root_id, now_unix);
    counted("batched");
    host_.info("Root #" + std::to_string(root_id) + ": batch note of " +
               std::to_string(pending.size()) + " listed host(s) (max_children " +
               std::to_string(config_.max_children) + ")");
    return true;
}

int Executor::write_batches(TimePoint now, bool at_most_one_a_minute) {
    int written = 0;
    for (const auto& [root_id, root_key] : store_.pending_roots()) {
        const auto lock = store_.lock(group_lock_name(root_key));
        if (write_batch(root_id, now, at_most_one_a_minute)) ++written;  // read again under it
    }
    return written;
}

}  // namespace tg::redmine
