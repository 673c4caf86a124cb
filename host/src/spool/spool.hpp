// The durable intake: deliveries are committed here before the webhook is answered 200, and
// the dispatcher takes them from here. Concurrent commits share one transaction (group commit)
// so that durability costs one fsync per batch, not per request.
#pragma once

#include <Poco/Data/Session.h>

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <future>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace tg::host {

struct SpoolError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

struct NewDelivery {
    std::string sink;
    std::string route;
    std::string payload;
    std::string idempotency_key;
};

struct SpooledDelivery {
    int64_t id = 0;
    std::string sink;
    std::string route;
    std::string payload;
    std::string idempotency_key;
    int64_t created_ms = 0;
    int64_t next_ms = 0;
    uint32_t attempts = 0;
    std::string last_error;
};

struct SpoolStats {
    int64_t depth = 0;
    int64_t oldest_created_ms = 0;  // 0 when empty
    int64_t dead_letters = 0;
};

int64_t now_ms();

class Spool {
public:
    explicit Spool(const std::string& database_path);
    ~Spool();
    Spool(const Spool&) = delete;
    Spool& operator=(const Spool&) = delete;

    // Returns once the deliveries are on disk; throws SpoolError when they could not be written.
    void commit(std::vector<NewDelivery> deliveries);
    // Called after every successful commit (the dispatcher wakes up on it).
    void on_commit(std::function<void()> listener);

    std::optional<SpooledDelivery> head(const std::string& sink);
    void complete(int64_t id);
    void reschedule(int64_t id, uint32_t attempts, int64_t next_ms, const std::string& error);
    void dead_letter(const SpooledDelivery& delivery, uint32_t attempts, const std::string& reason);

    SpoolStats stats();
    std::optional<int64_t> hook_last_slot(const std::string& sink, const std::string& hook);
    void set_hook_last_slot(const std::string& sink, const std::string& hook, int64_t slot_ms);

    // The last write error, "" while writes succeed (for /readyz and the log).
    std::string write_error() const;

private:
    struct Batch {
        std::vector<NewDelivery> deliveries;
        std::promise<void> done;
    };
    void writer_loop();
    void write_batches(std::vector<Batch>& batches);
    void set_write_error(const std::string& error);

    // Two connections: the intake's fsyncs every commit (synchronous=FULL); the dispatcher's
    // bookkeeping may lose its last commits in a power cut, which only means a redelivery.
    Poco::Data::Session intake_;
    std::mutex dispatch_mutex_;
    Poco::Data::Session dispatch_;

    std::mutex queue_mutex_;
    std::condition_variable queue_cv_;
    std::deque<Batch> queue_;
    bool stopping_ = false;
    std::function<void()> listener_;
    mutable std::mutex error_mutex_;
    std::string write_error_;
    std::thread writer_;
};

}  // namespace tg::host
