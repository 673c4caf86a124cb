// update_priority's decisions, without HTTP or SQL: which priority a ticket's firing alerts call
// for, and whether a person changed the ticket's priority (read from its journals).
#pragma once

#include <Poco/JSON/Array.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace tg::redmine {

// The most urgent of the firing alerts' priorities (by `rank`, higher is more urgent); nullopt
// when none fires.
std::optional<int64_t> highest_priority(const std::vector<int64_t>& active,
                                        const std::function<int(int64_t)>& rank);

// Whether a journal changed priority_id without being the sink's own change: `sink_note` tells
// whether a journal's notes are the note the sink writes for a change from one id to another.
bool priority_set_by_hand(
    const Poco::JSON::Array::Ptr& journals,
    const std::function<bool(const std::string& notes, int64_t from, int64_t to)>& sink_note);

}  // namespace tg::redmine
