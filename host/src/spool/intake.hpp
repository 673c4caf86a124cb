// What the HTTP intake needs from the spool: commit the deliveries of a notification before it is
// answered, and say why the last commit failed. The host's one implementation is Spool; the
// benchmarks build a separate binary (bench/ceiling) whose intake stores nothing, to measure the
// HTTP path alone. That binary is never installed, so no production host can run without a spool.
#pragma once

#include <string>
#include <vector>

namespace tg::host {

struct NewDelivery {
    std::string sink;
    std::string route;
    std::string payload;
    std::string idempotency_key;
    // The delivery group (ABI 1.6): the values of the sink's group labels; "" when the sink takes
    // one delivery at a time. Deliveries of one group go in order, those of different groups may
    // go at once; a delivery with no group goes alone, in order with all.
    std::string group_key;
};

class Intake {
  public:
    virtual ~Intake() = default;
    // Returns once the deliveries are stored; throws SpoolError when they could not be.
    // An empty list is a probe: a write that leaves nothing behind.
    virtual void commit(std::vector<NewDelivery> deliveries) = 0;
    // The last write error, "" while writes succeed (for /readyz and the log).
    virtual std::string write_error() const = 0;
};

}  // namespace tg::host
