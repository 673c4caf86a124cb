// The calls into one sink instance: deliveries may share it (a sink with delivery groups, ABI
// 1.6, takes several at once), everything else has it alone (hooks, probes, one-shot commands,
// a reload's handover), as the ABI promises. A call that wants it alone waits for the deliveries
// in progress to end and lets no new one start meanwhile: a storm of deliveries does not keep a
// hook out.
#pragma once

#include <condition_variable>
#include <mutex>

namespace tg::host {

class CallGate {
  public:
    void enter_shared() {
        std::unique_lock lock(mutex_);
        changed_.wait(lock, [&] { return !alone_ && wanting_alone_ == 0; });
        ++shared_;
    }
    void leave_shared() {
        std::lock_guard lock(mutex_);
        --shared_;
        changed_.notify_all();
    }
    void enter_alone() {
        std::unique_lock lock(mutex_);
        ++wanting_alone_;
        changed_.wait(lock, [&] { return !alone_ && shared_ == 0; });
        --wanting_alone_;
        alone_ = true;
    }
    void leave_alone() {
        std::lock_guard lock(mutex_);
        alone_ = false;
        changed_.notify_all();
    }

    // Holds the gate for one delivery, or alone, until destroyed.
    class Shared {
      public:
        explicit Shared(CallGate& gate) : gate_(gate) { gate_.enter_shared(); }
        ~Shared() { gate_.leave_shared(); }
        Shared(const Shared&) = delete;
        Shared& operator=(const Shared&) = delete;

      private:
        CallGate& gate_;
    };
    class Alone {
      public:
        explicit Alone(CallGate& gate) : gate_(gate) { gate_.enter_alone(); }
        ~Alone() { gate_.leave_alone(); }
        Alone(const Alone&) = delete;
        Alone& operator=(const Alone&) = delete;

      private:
        CallGate& gate_;
    };

  private:
    std::mutex mutex_;
    std::condition_variable changed_;
    int shared_ = 0;
    int wanting_alone_ = 0;
    bool alone_ = false;
};

}  // namespace tg::host
