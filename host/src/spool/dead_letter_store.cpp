#include "spool/dead_letter_store.hpp"

#include "spool/spool.hpp"
#include "spool/spool_sql.hpp"
#include "spool/store_session.hpp"
#include "sql/postgresql_session.hpp"

#include <Poco/Data/RecordSet.h>
#include <Poco/Data/Statement.h>

#include <algorithm>

using namespace Poco::Data::Keywords;

namespace tg::host {
namespace {

std::vector<DeadLetter> read_rows(Poco::Data::Statement& select) {
    select.execute();
    Poco::Data::RecordSet rows(select);
    std::vector<DeadLetter> letters;
    for (bool more = rows.moveFirst(); more; more = rows.moveNext()) {
        DeadLetter d;
        d.id = rows[0].convert<int64_t>();
        d.sink = rows[1].convert<std::string>();
        d.route = rows[2].convert<std::string>();
        d.payload = rows[3].convert<std::string>();
        d.idempotency_key = rows[4].convert<std::string>();
        d.created_ms = rows[5].convert<int64_t>();
        d.failed_ms = rows[6].convert<int64_t>();
        d.attempts = rows[7].convert<uint32_t>();
        d.reason = rows[8].convert<std::string>();
        d.history = read_attempts(rows[9].convert<std::string>());
        letters.push_back(std::move(d));
    }
    return letters;
}

}  // namespace

DeadLetterStore::DeadLetterStore(const StoreUrl& store)
    : store_(store), session_(open_store_session(store, "FULL")) {
    try {
        // A store no host has opened yet gets its tables, as the host would make them.
        migrate_store(session_, dialect_of(store_));
    } catch (const Poco::Exception& e) {
        tg::sql::close_session(session_);  // no destructor runs for a store not constructed
        throw SpoolError("cannot prepare the spool " + store_.description + ": " + e.displayText());
    } catch (...) {
        tg::sql::close_session(session_);
        throw;
    }
}

DeadLetterStore::~DeadLetterStore() { tg::sql::close_session(session_); }

std::vector<DeadLetter> DeadLetterStore::list(const std::string& sink) {
    const std::string sql = spool_sql::text(
        dialect_of(store_), (std::string(spool_sql::dead_letter_columns) +
                             (sink.empty() ? " ORDER BY id" : " WHERE sink = ? ORDER BY id"))
                                .c_str());
    Poco::Data::Statement select(session_);
    select << sql;
    std::string bound = sink;
    if (!sink.empty()) select, use(bound);
    return read_rows(select);
}

std::vector<DeadLetter> DeadLetterStore::latest(size_t limit) {
    // Not the payloads: they may be megabytes each, and the page does not show them.
    const std::string sql = spool_sql::text(
        dialect_of(store_),
        ("SELECT id, sink, route, '', idempotency_key, created_ms, failed_ms, attempts, reason,"
         " '' FROM dead_letters ORDER BY id DESC LIMIT " +
         std::to_string(limit))
            .c_str());
    Poco::Data::Statement select(session_);
    select << sql;
    return read_rows(select);
}

std::optional<DeadLetter> DeadLetterStore::find(int64_t id) {
    const std::string sql =
        spool_sql::text(dialect_of(store_),
                        (std::string(spool_sql::dead_letter_columns) + " WHERE id = ?").c_str());
    Poco::Data::Statement select(session_);
    select << sql, use(id);
    auto letters = read_rows(select);
    if (letters.empty()) return std::nullopt;
    return letters.front();
}

std::vector<DeadLetter> DeadLetterStore::select(const DeadLetterSelection& selection) {
    auto letters = list(selection.sink);
    if (!selection.all)
        std::erase_if(letters, [&](const DeadLetter& d) {
            return std::find(selection.ids.begin(), selection.ids.end(), d.id) ==
                   selection.ids.end();
        });
    return letters;
}

template <class Move>
std::vector<int64_t> DeadLetterStore::move_each(const DeadLetterSelection& selection, Move move) {
    const auto dialect = dialect_of(store_);
    session_.begin();
    try {
        // PostgreSQL: intake's lock, so that ids follow commit order across replicas (a sink's
        // head is its lowest id).
        if (dialect == tg::sql::Dialect::postgresql)
            session_ << spool_sql::intake_lock_postgresql, now;
        std::vector<int64_t> ids;
        const std::string remove = spool_sql::text(dialect, spool_sql::delete_dead_letter);
        for (const auto& letter : select(selection)) {
            int64_t id = letter.id;
            move(id);
            session_ << remove, use(id), now;
            ids.push_back(id);
        }
        session_.commit();
        return ids;
    } catch (...) {
        rollback_quietly(session_);
        throw;
    }
}

std::vector<int64_t> DeadLetterStore::retry(const DeadLetterSelection& selection) {
    const std::string insert = spool_sql::text(dialect_of(store_), spool_sql::retry_dead_letter);
    return move_each(selection, [&](int64_t id) {
        int64_t created = now_ms(), due = created;
        session_ << insert, use(created), use(due), use(id), now;
    });
}

std::vector<int64_t> DeadLetterStore::discard(const DeadLetterSelection& selection) {
    const std::string insert = spool_sql::text(dialect_of(store_), spool_sql::discard_dead_letter);
    return move_each(selection, [&](int64_t id) {
        int64_t discarded = now_ms();
        session_ << insert, use(discarded), use(id), now;
    });
}

}  // namespace tg::host
