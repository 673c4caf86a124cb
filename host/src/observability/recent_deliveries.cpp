#include "observability/recent_deliveries.hpp"

namespace tg::host {

void RecentDeliveries::add(DeliveryRecord record) {
    std::lock_guard lock(mutex_);
    records_.push_front(std::move(record));
    while (records_.size() > capacity_) records_.pop_back();
}

std::vector<DeliveryRecord> RecentDeliveries::newest_first() const {
    std::lock_guard lock(mutex_);
    return {records_.begin(), records_.end()};
}

}  // namespace tg::host
