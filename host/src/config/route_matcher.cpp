#include "config/route_matcher.hpp"

namespace tg::host {

namespace {

void walk(const Route& node, const Labels& labels, std::vector<const Route*>& out) {
    bool any = false;
    for (const Route& child : node.routes) {
        if (!route_matches(child, labels)) continue;
        walk(child, labels, out);
        any = true;
        if (!child.continue_matching) break;
    }
    if (!any) out.push_back(&node);
}

}  // namespace

bool route_matches(const Route& route, const Labels& labels) {
    for (const Matcher& m : route.matchers) {
        if (!m.matches(labels)) return false;
    }
    return true;
}

std::vector<const Route*> match_routes(const Route& root, const Labels& labels) {
    std::vector<const Route*> out;
    walk(root, labels, out);
    return out;
}

}  // namespace tg::host
