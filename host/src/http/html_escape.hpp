// Text for an HTML page: alert labels, sink errors and Redmine's answers are untrusted.
#pragma once

#include <string>
#include <string_view>

namespace tg::host {

// & < > " ' as character references (safe in element text and in quoted attributes); other
// characters, Japanese included, as they are.
std::string html_escape(std::string_view text);

}  // namespace tg::host
