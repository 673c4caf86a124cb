// Alertmanager's routing-tree walk.
#pragma once

#include <vector>

#include "config/matcher.hpp"
#include "config/routing_config.hpp"

namespace tg::host {

// The root matches everything (its matchers, if any, are ignored). Depth-first: for a matching
// node its children are tried in order; the first matching child wins unless it has
// continue_matching, in which case the following siblings are tried too. A node none of whose
// children matched is itself a result. Returns the matched leaves in tree order (never empty);
// each carries its resolved sink. Pointers point into `root`.
std::vector<const Route*> match_routes(const Route& root, const Labels& labels);

// True when every matcher of the route matches (a route without matchers matches everything).
bool route_matches(const Route& route, const Labels& labels);

}  // namespace tg::host
