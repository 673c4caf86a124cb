// JSON text as Poco::JSON writes it (Object::stringify: compact, strings escaped by
// Poco::toJSON, numbers by Poco::Dynamic::Var), so that what the host serialises now has the same
// bytes, and the same idempotency keys, as when it kept Poco's tree; and the checks every string
// of a webhook body passes.
#pragma once

#include <Poco/Dynamic/Var.h>

#include <string>
#include <string_view>

namespace tg::host {

void append_json_string(std::string& out, std::string_view value);
std::string json_string(std::string_view value);
// A number, boolean or null (an empty Var), as Poco's Stringifier writes it.
std::string json_scalar(const Poco::Dynamic::Var& value);

// The offset of the first C0 control character other than tab and newline, or npos. DEL and C1
// are let through: no store or Redmine format refuses them (the log escapes them).
size_t forbidden_control_at(std::string_view s);

}  // namespace tg::host
