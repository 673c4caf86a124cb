#include "http/intake_budget.hpp"

namespace tg::host {

bool IntakeBudget::Reservation::hold(size_t bytes) {
    if (bytes <= held_) {
        budget_.used_.fetch_sub(held_ - bytes);
        held_ = bytes;
        return true;
    }
    const size_t more = bytes - held_;
    size_t used = budget_.used_.load();
    do {
        const bool alone = used == held_;
        if (!alone && used + more > limit_) return false;
    } while (!budget_.used_.compare_exchange_weak(used, used + more));
    held_ = bytes;
    return true;
}

}  // namespace tg::host
