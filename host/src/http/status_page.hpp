// GET /: the router's state at a glance, one HTML page with its style inline (no script, no
// external asset: it works on a host without Internet access and leaks nothing to a CDN).
// Every text from outside (alert labels, errors, Redmine's answers) is escaped.
#pragma once

#include "http/page_language.hpp"
#include "http/status_snapshot.hpp"

#include <string>

namespace tg::host {

std::string render_status_page(const StatusSnapshot& snapshot, PageLanguage language);

}  // namespace tg::host
