// Reading and writing Redmine's issue JSON: the few fields the sink reads back, in one place.
#pragma once

#include "alert.hpp"

#include <Poco/JSON/Object.h>

#include <cstdint>
#include <string>

namespace tg::redmine {

int64_t unix_seconds(TimePoint t);
// An object field's id (parent, tracker, status, ...); 0 when absent.
int64_t id_in(const Poco::JSON::Object::Ptr& issue, const char* field);
inline int64_t parent_of(const Poco::JSON::Object::Ptr& issue) { return id_in(issue, "parent"); }
// A time field (created_on, closed_on, ...) in unix seconds; 0 when absent or unreadable.
int64_t time_of(const Poco::JSON::Object::Ptr& issue, const char* field);
// Unix seconds as Redmine writes times: 2026-12-03T09:00:00Z (UTC).
std::string redmine_time(int64_t unix);
// A custom field's value in an issue ("" when absent).
std::string custom_value(const Poco::JSON::Object::Ptr& issue, int64_t field);

}  // namespace tg::redmine
