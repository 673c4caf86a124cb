#include "priority_rules.hpp"
#include "text.hpp"

#include <Poco/JSON/Object.h>

#include <catch2/catch.hpp>

#include <map>

using namespace tg::redmine;

namespace {

// A journal as Redmine answers it: a note and one attribute change.
Poco::JSON::Object::Ptr journal(const std::string& notes, const std::string& attribute,
                                const std::string& from, const std::string& to) {
    Poco::JSON::Object::Ptr detail = new Poco::JSON::Object;
    detail->set("property", "attr");
    detail->set("name", attribute);
    detail->set("old_value", from);
    detail->set("new_value", to);
    Poco::JSON::Array::Ptr details = new Poco::JSON::Array;
    details->add(detail);
    Poco::JSON::Object::Ptr j = new Poco::JSON::Object;
    j->set("notes", notes);
    j->set("details", details);
    return j;
}

Poco::JSON::Array::Ptr journals(std::initializer_list<Poco::JSON::Object::Ptr> list) {
    Poco::JSON::Array::Ptr out = new Poco::JSON::Array;
    for (const auto& j : list) out->add(j);
    return out;
}

const std::map<int64_t, std::string> kNames{{2, "通常"}, {4, "急いで"}, {5, "今すぐ"}};

}  // namespace

TEST_CASE("update_priority: the most urgent firing alert's priority wins", "[priority]") {
    const auto rank = [](int64_t id) { return id == 5 ? 9 : static_cast<int>(id); };
    CHECK_FALSE(highest_priority({}, rank));
    CHECK(*highest_priority({2}, rank) == 2);
    CHECK(*highest_priority({2, 4, 2}, rank) == 4);
    CHECK(*highest_priority({5, 4}, rank) == 5);
}

TEST_CASE("update_priority: a priority change without the sink's note is a person's",
          "[priority]") {
    for (auto format : {TextFormat::textile, TextFormat::common_mark}) {
        TextBuilder text(format, "UTC");
        const auto sink_note = [&](const std::string& notes, int64_t from, int64_t to) {
            return text.is_priority_note(notes, kNames.at(from), kNames.at(to));
        };
        const auto by_sink = journal(text.priority_note("通常", "急いで"), "priority_id", "2", "4");
        CHECK_FALSE(priority_set_by_hand(journals({}), sink_note));
        CHECK_FALSE(priority_set_by_hand(journals({by_sink}), sink_note));
        // Other changes are not priority changes.
        CHECK_FALSE(
            priority_set_by_hand(journals({journal("x", "status_id", "1", "5")}), sink_note));
        // Changed by a person, with no note or another one.
        CHECK(priority_set_by_hand(journals({by_sink, journal("", "priority_id", "4", "5")}),
                                   sink_note));
        CHECK(priority_set_by_hand(journals({journal("上げます", "priority_id", "2", "4")}),
                                   sink_note));
    }
}
