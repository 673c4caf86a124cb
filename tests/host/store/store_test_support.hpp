// For the store tests: the local PostgreSQL of scripts/postgres-local.sh, and a fresh database
// per test.
#pragma once

#include "spool/spool.hpp"
#include "spool/store_url.hpp"

#include <chrono>
#include <memory>
#include <string>

namespace tg::test {

// The store URL of the local PostgreSQL: $TG_TEST_POSTGRES_URL, else `postgres-local.sh url`.
std::string postgres_url();

// `url` with its database replaced by `database`.
std::string with_database(const std::string& url, const std::string& database);

// A database of its own for one test: created empty, dropped at the end (its sessions closed).
class PostgresDatabase {
  public:
    PostgresDatabase();
    ~PostgresDatabase();
    PostgresDatabase(const PostgresDatabase&) = delete;
    PostgresDatabase& operator=(const PostgresDatabase&) = delete;
    const std::string& url() const { return url_; }
    const std::string& name() const { return name_; }

  private:
    std::string name_;
    std::string url_;
    std::string admin_url_;
};

// A store for a test, of either kind: "sqlite" (a file in a temporary directory) or
// "postgresql" (a fresh database). Spools opened on it share it, as replicas would.
class TestStore {
  public:
    explicit TestStore(const std::string& kind);
    ~TestStore();
    host::StoreUrl url() const;
    std::unique_ptr<host::Spool> open(
        const std::string& owner, std::chrono::milliseconds lease = std::chrono::seconds(60)) const;
    bool postgresql() const { return database_ != nullptr; }
    std::string sqlite_path() const;

  private:
    std::string kind_;
    std::unique_ptr<class TempDir> dir_;
    std::unique_ptr<PostgresDatabase> database_;
};

host::StoreUrl parse(const std::string& url);

// A test that runs once per store (a function taking "sqlite" or "postgresql"): the SQLite
// variants need no server.
#define STORE_TEST_CASE(title, function)                             \
    TEST_CASE(title " (sqlite)", "[sqlite]") { function("sqlite"); } \
    TEST_CASE(title " (postgresql)", "[postgresql]") { function("postgresql"); }

}  // namespace tg::test
