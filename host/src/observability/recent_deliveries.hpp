// The last deliveries of every sink, newest first, in memory: what the status page shows of
// the host's recent work. Bounded, so a busy host keeps a constant amount; not kept across a
// restart (the host's log has the history).
#pragma once

#include "observability/delivery_record.hpp"

#include <deque>
#include <mutex>
#include <vector>

namespace tg::host {

class RecentDeliveries {
  public:
    explicit RecentDeliveries(size_t capacity = 50) : capacity_(capacity) {}
    // Called by every sink's worker.
    void add(DeliveryRecord record);
    std::vector<DeliveryRecord> newest_first() const;

  private:
    const size_t capacity_;
    mutable std::mutex mutex_;
    std::deque<DeliveryRecord> records_;  // newest at the front
};

}  // namespace tg::host
