#include "store_test_support.hpp"

#include "test_support.hpp"

#include <Poco/Data/PostgreSQL/Connector.h>
#include <Poco/Data/Session.h>

#include <unistd.h>
#include <atomic>
#include <cstdlib>
#include <stdexcept>

using namespace Poco::Data::Keywords;

namespace tg::test {
namespace {

std::atomic<int> databases{0};

Poco::Data::Session admin_session(const std::string& url) {
    Poco::Data::PostgreSQL::Connector::registerConnector();
    return Poco::Data::Session("PostgreSQL", parse(url).connection_string);
}

}  // namespace

host::StoreUrl parse(const std::string& url) {
    return host::parse_store_url(url, [](const std::string& name) -> std::optional<std::string> {
        const char* value = std::getenv(name.c_str());
        return value ? std::optional<std::string>(value) : std::nullopt;
    });
}

std::string postgres_url() {
    static const std::string url = [] {
        if (const char* given = std::getenv("TG_TEST_POSTGRES_URL"); given && *given)
            return std::string(given);
        std::string output;
        if (run_command({TG_POSTGRES_LOCAL_SCRIPT, "url"}, output) != 0)
            throw std::runtime_error("postgres-local.sh url failed: " + output);
        // stdout and stderr are mixed: the URL is the line that looks like one.
        std::string found;
        size_t start = 0;
        while (start < output.size()) {
            size_t end = output.find('\n', start);
            if (end == std::string::npos) end = output.size();
            const std::string line = output.substr(start, end - start);
            if (line.rfind("postgresql://", 0) == 0) found = line;
            start = end + 1;
        }
        if (found.empty())
            throw std::runtime_error("postgres-local.sh url printed no URL: " + output);
        return found;
    }();
    return url;
}

std::string with_database(const std::string& url, const std::string& database) {
    const auto authority = url.find("://") + 3;
    const auto slash = url.find('/', authority);
    const auto query = url.find('?', authority);
    const std::string head = url.substr(0, slash == std::string::npos ? query : slash);
    const std::string tail = query == std::string::npos ? "" : url.substr(query);
    return head + "/" + database + tail;
}

PostgresDatabase::PostgresDatabase() : admin_url_(postgres_url()) {
    name_ = "tg_test_" + std::to_string(::getpid()) + "_" + std::to_string(++databases);
    url_ = with_database(admin_url_, name_);
    auto session = admin_session(admin_url_);
    session << "DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)", now;
    session << "CREATE DATABASE " + name_, now;
}

PostgresDatabase::~PostgresDatabase() {
    try {
        auto session = admin_session(admin_url_);
        session << "DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)", now;
    } catch (...) {
    }
}

TestStore::TestStore(const std::string& kind) : kind_(kind) {
    if (kind == "postgresql")
        database_ = std::make_unique<PostgresDatabase>();
    else
        dir_ = std::make_unique<TempDir>();
}

TestStore::~TestStore() = default;

std::string TestStore::sqlite_path() const { return dir_ ? *dir_ / "spool.sqlite3" : ""; }

host::StoreUrl TestStore::url() const {
    return database_ ? parse(database_->url()) : host::StoreUrl::sqlite(sqlite_path());
}

std::unique_ptr<host::Spool> TestStore::open(const std::string& owner,
                                             std::chrono::milliseconds lease) const {
    host::SpoolOptions options;
    options.owner = owner;
    options.lease = lease;
    return std::make_unique<host::Spool>(url(), options);
}

}  // namespace tg::test
