// Where the spool lives: `sqlite:PATH` (the embedded default) or a PostgreSQL URL shared by
// several replicas, `postgresql://user@host:port/db?password_file=/path`.
#pragma once

#include <functional>
#include <optional>
#include <stdexcept>
#include <string>

namespace tg::host {

struct StoreUrlError : std::invalid_argument {
    using std::invalid_argument::invalid_argument;
};

struct StoreUrl {
    enum class Kind { sqlite, postgresql };
    Kind kind = Kind::sqlite;
    std::string sqlite_path;        // sqlite
    std::string connection_string;  // postgresql: libpq keyword=value form, with the password
    std::string description;        // for logs and messages: never holds a password

    static StoreUrl sqlite(const std::string& path);
};

// A variable of the host's environment (process, then --env-file), for PGPASSWORD.
using GetEnv = std::function<std::optional<std::string>(const std::string&)>;

// Throws StoreUrlError with a message for the operator (which never repeats a password).
// The password comes from the `password_file` query parameter, else from PGPASSWORD; a
// password written into the URL itself is refused (it would show in process lists and files).
StoreUrl parse_store_url(const std::string& url, const GetEnv& get_env);

// The default store: `sqlite:<state_dir>/spool.sqlite3`.
std::string default_store_url(const std::string& state_dir);

}  // namespace tg::host
