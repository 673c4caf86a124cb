// A reload that changes a sink's configuration hands its state directory over: on the sink's
// worker, between two calls, the old instance is destroyed and then the new one is created on
// the same directory, so two instances never share it. When the new one cannot be created, the
// old configuration is created again, and the sink goes on as before.
#pragma once

#include "dispatch/dispatcher.hpp"

#include <chrono>
#include <functional>
#include <memory>
#include <string>

namespace tg::host {

using MakeSink = std::function<std::shared_ptr<SinkInstance>()>;

struct Handover {
    std::shared_ptr<SinkInstance> instance;  // the sink's instance now (null: neither was created)
    std::string error;                       // "" when `instance` is the new one
};

// Waits up to `wait` for the worker to be between calls; when it is not, nothing changes and
// the error says so.
Handover hand_over(Dispatcher& dispatcher, const std::string& sink, MakeSink make_new,
                   MakeSink make_old, std::chrono::seconds wait);

}  // namespace tg::host
