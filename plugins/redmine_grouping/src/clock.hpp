// The time the sink goes by: the system's in the plugin, a test's own in the unit tests (so a
// window, a clock skew or a note's first try can be stepped through without sleeping).
#pragma once

#include "alert.hpp"

#include <chrono>

namespace tg::redmine {

class Clock {
  public:
    virtual ~Clock() = default;
    virtual TimePoint now() const = 0;
};

class SystemClock final : public Clock {
  public:
    TimePoint now() const override {
        return std::chrono::time_point_cast<std::chrono::nanoseconds>(
            std::chrono::system_clock::now());
    }
};

}  // namespace tg::redmine
