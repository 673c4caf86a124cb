// Issue 14 §1, the store side of `dead-letters`, against both stores: a retried dead letter goes
// back to its sink's queue with its idempotency key (a pending delivery of that key absorbs it),
// a discarded one moves to the discard log, which is pruned with the dead letters' retention.
#include "spool/dead_letter_store.hpp"
#include "store_test_support.hpp"

#include <Poco/Data/Session.h>
#include <catch2/catch.hpp>

#include <thread>

using namespace tg::host;
using tg::test::TestStore;
using namespace std::chrono_literals;

namespace {

// Commits `key` for `sink`, claims it and dead-letters it with `reason`.
void dead_letter(Spool& spool, const std::string& sink, const std::string& key,
                 const std::string& reason) {
    spool.commit(
        {{sink, "route", R"({"alerts":[{"labels":{"alertname":")" + key + R"("}}]})", key, ""}});
    const Claim claim = spool.claim(sink);
    REQUIRE(claim.delivery);
    REQUIRE(claim.delivery->idempotency_key == key);
    REQUIRE(spool.dead_letter(*claim.delivery, 1, reason));
}

int64_t count(TestStore& store, const std::string& table) {
    using namespace Poco::Data::Keywords;
    const auto url = store.url();
    Poco::Data::Session session(
        url.kind == StoreUrl::Kind::postgresql ? "PostgreSQL" : "SQLite",
        url.kind == StoreUrl::Kind::postgresql ? url.connection_string : url.sqlite_path);
    int64_t n = 0;
    session << "SELECT COUNT(*) FROM " + table, into(n), now;
    return n;
}

}  // namespace

void retry_and_discard(const std::string& kind) {
    TestStore store(kind);
    auto spool = store.open("host");
    dead_letter(*spool, "redmine", "k1", "Redmine answered 422: 必須項目 can't be blank");
    dead_letter(*spool, "redmine", "k2", "Redmine answered 422: 必須項目 can't be blank");
    dead_letter(*spool, "log", "k3", "sink removed");

    DeadLetterStore letters(store.url());
    const auto all = letters.list();
    REQUIRE(all.size() == 3);
    CHECK(all[0].idempotency_key == "k1");
    CHECK(all[0].sink == "redmine");
    CHECK(all[0].attempts == 1);
    CHECK(all[0].reason == "Redmine answered 422: 必須項目 can't be blank");
    CHECK(all[0].payload.find("\"alertname\":\"k1\"") != std::string::npos);
    CHECK(letters.list("log").size() == 1);
    REQUIRE(letters.find(all[2].id));
    CHECK(letters.find(all[2].id)->sink == "log");
    CHECK_FALSE(letters.find(all[2].id + 1000));

    // k2 is pending again already (a resend): its retry is absorbed by that delivery.
    spool->commit({{"redmine", "route", "{}", "k2", ""}});
    const auto retried = letters.retry({{}, true, "redmine"});
    CHECK(retried == std::vector<int64_t>{all[0].id, all[1].id});
    CHECK(letters.list().size() == 1);
    CHECK(spool->stats().depth == 2);
    // Back in the queue with the same key, due now: the sink applies it once.
    Claim claim = spool->claim("redmine");
    REQUIRE(claim.delivery);
    CHECK(claim.delivery->idempotency_key == "k2");  // the resend was first in the queue
    spool->complete(claim.delivery->id);
    claim = spool->claim("redmine");
    REQUIRE(claim.delivery);
    CHECK(claim.delivery->idempotency_key == "k1");
    CHECK(claim.delivery->attempts == 0);
    spool->complete(claim.delivery->id);

    // An id of another sink is not taken by a selection of one sink.
    CHECK(letters.retry({{all[2].id}, false, "redmine"}).empty());
    const auto discarded = letters.discard({{all[2].id}, false, ""});
    CHECK(discarded == std::vector<int64_t>{all[2].id});
    CHECK(letters.list().empty());
    CHECK(spool->stats().dead_letters == 0);
    CHECK(count(store, "discarded_dead_letters") == 1);
}
STORE_TEST_CASE(
    "issue 14: dead-letters retry puts them back in their sink's queue with their idempotency "
    "key, discard moves them to the discard log",
    retry_and_discard)

void discard_log_pruned(const std::string& kind) {
    TestStore store(kind);
    {
        auto spool = store.open("host");
        dead_letter(*spool, "redmine", "k1", "refused");
        DeadLetterStore letters(store.url());
        REQUIRE(letters.discard({{}, true, "redmine"}).size() == 1);
        CHECK(count(store, "discarded_dead_letters") == 1);
    }
    SpoolOptions options;
    options.owner = "host";
    options.dead_letter_retention = 1ms;
    std::this_thread::sleep_for(5ms);
    Spool reopened(store.url(), options);  // prunes at open
    CHECK(count(store, "discarded_dead_letters") == 0);
}
STORE_TEST_CASE("issue 14: the discard log is pruned after server.dead_letter_retention",
                discard_log_pruned)

// `dead-letters show` prints each failed attempt with its error: the spool keeps them beside the
// delivery (the last kAttemptsKept), into its dead letter, and back into the queue on a retry.
void attempt_history(const std::string& kind) {
    TestStore store(kind);
    auto spool = store.open("host");
    spool->commit({{"redmine", "route", "{}", "k1", ""}});
    auto fail_once = [&](uint32_t attempt, const std::string& error) {
        const Claim claim = spool->claim("redmine");
        REQUIRE(claim.delivery);
        REQUIRE(spool->reschedule(claim.delivery->id, attempt, now_ms() - 1, error));
    };
    fail_once(1, "Redmine POST /issues.json: HTTP 503 Service Unavailable");
    fail_once(2, "Redmine: timeout after 30 s\n(connection reset)");
    Claim claim = spool->claim("redmine");
    REQUIRE(claim.delivery);
    REQUIRE(spool->dead_letter(*claim.delivery, 3, "HTTP 422: 必須項目 を入力してください"));

    DeadLetterStore letters(store.url());
    auto d = letters.find(letters.list().at(0).id);
    REQUIRE(d);
    REQUIRE(d->history.size() == 3);
    CHECK(d->history[0].number == 1);
    CHECK(d->history[0].error == "Redmine POST /issues.json: HTTP 503 Service Unavailable");
    CHECK(d->history[1].error == "Redmine: timeout after 30 s (connection reset)");  // one line
    CHECK(d->history[2].number == 3);
    CHECK(d->history[2].error == "HTTP 422: 必須項目 を入力してください");
    CHECK(d->history[0].at_ms <= d->history[2].at_ms);
    CHECK(d->history[2].at_ms == d->failed_ms);

    // A retry carries the history back; more failures are added to it, the oldest dropped past
    // kAttemptsKept.
    REQUIRE(letters.retry({{d->id}, false, ""}).size() == 1);
    for (uint32_t attempt = 4; attempt <= 24; ++attempt) fail_once(attempt, "HTTP 503");
    claim = spool->claim("redmine");
    REQUIRE(claim.delivery);
    REQUIRE(spool->dead_letter(*claim.delivery, 25, "HTTP 422 again"));
    d = letters.find(letters.list().at(0).id);
    REQUIRE(d);
    REQUIRE(d->history.size() == kAttemptsKept);
    CHECK(d->history.front().number == 25 - kAttemptsKept + 1);
    CHECK(d->history.back().number == 25);
    CHECK(d->history.back().error == "HTTP 422 again");
    CHECK(letters.latest(10).at(0).history.empty());  // the page's list reads no history
}
STORE_TEST_CASE(
    "issue 14: a dead letter keeps the history of its attempts with each error, through a retry, "
    "bounded",
    attempt_history)
