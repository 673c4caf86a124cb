// The state store's behaviour, written once and run on both stores: the embedded SQLite file
// (state_store_test.cpp, label unit) and a shared PostgreSQL schema (shared_state_test.cpp).
#pragma once

#include "state_store.hpp"

#include <catch2/catch.hpp>

namespace tg::redmine::cases {

inline void issues_roots_and_episodes_round_trip(StateStore& s) {
    CHECK(s.needs_rebuild());
    s.mark_rebuilt(1);
    CHECK_FALSE(s.needs_rebuild());

    CHECK_FALSE(s.issue("k1"));
    s.put_issue("k1", "HighCPU", {10, true, 0, 0, 100});
    s.put_issue("k2", "HighCPU", {11, true, 50, 0, 100});
    s.put_issue("k3", "Other", {12, true, 0, 0, 100});
    s.put_issue("k4", "HighCPU", {13, false, 0, 99, 100});
    auto i = s.issue("k2");
    REQUIRE(i);
    CHECK(i->id == 11);
    CHECK(i->parent_id == 50);
    auto hosts = s.open_hosts("HighCPU");
    REQUIRE(hosts.size() == 2);
    CHECK(hosts[0].key == "k1");
    CHECK(hosts[1].parent_id == 50);

    s.set_parent(10, 50);
    s.set_open(11, false, 1234);
    CHECK(s.issue("k1")->parent_id == 50);
    CHECK_FALSE(s.issue("k2")->open);
    CHECK(s.issue("k2")->closed_at == 1234);
    s.put_issue("k5", "HighCPU", {14, true, 77, 0, 100});
    s.close_children(77, 4321);
    CHECK_FALSE(s.issue("k5")->open);
    CHECK(s.issue("k5")->closed_at == 4321);
    CHECK(s.issue("k1")->open);
    s.forget_issue("k3");
    CHECK_FALSE(s.issue("k3"));

    s.put_root("HighCPU", {50, true});
    CHECK(s.root("HighCPU")->id == 50);
    s.set_root_open(50, false);
    CHECK_FALSE(s.root("HighCPU")->open);

    // Japanese keys and episode times as Alertmanager writes them.
    s.put_episode("[Alert] ディスク残量 (サーバー01)", {"fp", "2026-11-27T09:00:00+09:00", true});
    s.put_episode("[Alert] ディスク残量 (サーバー01)", {"fp", "2026-11-27T09:00:00+09:00", false});
    CHECK(*s.episode("[Alert] ディスク残量 (サーバー01)") ==
          Episode{"fp", "2026-11-27T09:00:00+09:00", false});

    s.clear();
    CHECK_FALSE(s.issue("k1"));
    CHECK_FALSE(s.root("HighCPU"));
    CHECK(s.needs_rebuild());
}

inline void idempotency_keys_and_create_intents(StateStore& s) {
    CHECK_FALSE(s.applied("key"));
    s.mark_applied("key", 100);
    s.mark_applied("key", 200);
    CHECK(s.applied("key"));
    s.prune_applied(150);
    CHECK_FALSE(s.applied("key"));

    s.put_intent("[Alert] x", 5);
    s.put_intent("[Alert] x", 9);  // the first intent's time stays
    CHECK(*s.intent("[Alert] x") == 5);
    s.clear_intent("[Alert] x");
    CHECK_FALSE(s.intent("[Alert] x"));
}

inline void a_dry_run_leaves_nothing_behind(StateStore& s) {
    s.put_issue("kept", "A", {1, true, 0, 0, 0});
    s.begin_dry_run();
    s.put_issue("gone", "A", {2, true, 0, 0, 0});
    s.mark_rebuilt(5);
    CHECK(s.issue("gone"));
    s.end_dry_run();
    CHECK(s.issue("kept"));
    CHECK_FALSE(s.issue("gone"));
    CHECK(s.needs_rebuild());
}

}  // namespace tg::redmine::cases
