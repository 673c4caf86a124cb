#include "priority_rules.hpp"

#include <Poco/JSON/Object.h>

namespace tg::redmine {

std::optional<int64_t> highest_priority(const std::vector<int64_t>& active,
                                        const std::function<int(int64_t)>& rank) {
    std::optional<int64_t> best;
    for (int64_t id : active)
        if (!best || rank(id) > rank(*best)) best = id;
    return best;
}

namespace {
int64_t id_value(const Poco::JSON::Object::Ptr& detail, const char* field) {
    try {
        return detail->has(field) && !detail->get(field).isEmpty()
                   ? detail->get(field).convert<Poco::Int64>()
                   : 0;
    } catch (const Poco::Exception&) {
        return 0;
    }
}
}  // namespace

bool priority_set_by_hand(
    const Poco::JSON::Array::Ptr& journals,
    const std::function<bool(const std::string& notes, int64_t from, int64_t to)>& sink_note) {
    for (size_t i = 0; journals && i < journals->size(); ++i) {
        auto journal = journals->getObject(static_cast<unsigned>(i));
        auto details = journal ? journal->getArray("details") : nullptr;
        for (size_t d = 0; details && d < details->size(); ++d) {
            auto detail = details->getObject(static_cast<unsigned>(d));
            if (!detail || detail->optValue<std::string>("property", "") != "attr" ||
                detail->optValue<std::string>("name", "") != "priority_id")
                continue;
            if (!sink_note(journal->optValue<std::string>("notes", ""),
                           id_value(detail, "old_value"), id_value(detail, "new_value")))
                return true;
        }
    }
    return false;
}

}  // namespace tg::redmine
