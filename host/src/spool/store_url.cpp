#include "spool/store_url.hpp"

#include "system/file_read.hpp"

#include <cstring>
#include <map>
#include <optional>
#include <sstream>
#include <vector>

namespace tg::host {
namespace {

constexpr const char* url_forms =
    "use sqlite:PATH or postgresql://USER@HOST:PORT/DATABASE?password_file=/path";

// libpq settings that may ride along in the query string.
const std::vector<std::string> passed_parameters = {
    "sslmode",    "sslrootcert",     "sslcert",          "sslkey",
    "sslcrl",     "connect_timeout", "application_name", "target_session_attrs",
    "keepalives", "keepalives_idle"};

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

std::string percent_decode(const std::string& text, const std::string& what) {
    std::string out;
    for (size_t i = 0; i < text.size(); ++i) {
        if (text[i] != '%') {
            out += text[i];
            continue;
        }
        const int high = i + 2 < text.size() ? hex_value(text[i + 1]) : -1;
        const int low = i + 2 < text.size() ? hex_value(text[i + 2]) : -1;
        if (high < 0 || low < 0) throw StoreUrlError("bad %-escape in the " + what);
        out += static_cast<char>(high * 16 + low);
        i += 2;
    }
    return out;
}

// A libpq connection-string value: always quoted, with \ and ' escaped. Poco's PostgreSQL
// connector cuts its connection string at every blank, quoted or not: a value cannot hold one.
std::string quoted(const std::string& key, const std::string& value) {
    for (char c : value)
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f')
            throw StoreUrlError(
                "the " + key +
                " may not contain blanks (the PostgreSQL connector cannot pass them)");
    std::string out = "'";
    for (char c : value) {
        if (c == '\\' || c == '\'') out += '\\';
        out += c;
    }
    return out + "'";
}

std::string read_password_file(const std::string& path) {
    const auto file = common::read_whole_file(path);
    if (!file.content)
        throw StoreUrlError("cannot read the password_file " + path + ": " + file.error);
    std::string password = *file.content;
    while (!password.empty() && (password.back() == '\n' || password.back() == '\r' ||
                                 password.back() == ' ' || password.back() == '\t'))
        password.pop_back();
    if (password.empty()) throw StoreUrlError("the password_file " + path + " is empty");
    return password;
}

// A PostgreSQL URL's parts, decoded and checked.
struct PostgresqlUrl {
    std::string user, host, port, database;
    std::map<std::string, std::string> parameters;  // passed_parameters given in the query
    std::optional<std::string> password_file;
    std::string shown_query;  // as written, for the description
};

// USER@HOST:PORT: reads the user; returns HOST:PORT.
std::string read_user(const std::string& authority, PostgresqlUrl& parts) {
    const auto at = authority.rfind('@');
    if (at == std::string::npos) return authority;
    const std::string user_info = authority.substr(0, at);
    if (user_info.find(':') != std::string::npos)
        throw StoreUrlError(
            "do not write the password into the URL (it would show in process "
            "lists and files): put it in a file named by ?password_file=/path, or in "
            "PGPASSWORD");
    parts.user = percent_decode(user_info, "user name");
    return authority.substr(at + 1);
}

// HOST:PORT, or [IPv6]:PORT; the port is optional.
void read_host_and_port(const std::string& host_port, PostgresqlUrl& parts) {
    std::string host = host_port, port;
    if (!host_port.empty() && host_port.front() == '[') {
        const auto close = host_port.find(']');
        if (close == std::string::npos) throw StoreUrlError("unclosed [ in the host");
        host = host_port.substr(1, close - 1);
        const std::string after = host_port.substr(close + 1);
        if (!after.empty()) {
            if (after.front() != ':') throw StoreUrlError("unexpected text after the host");
            port = after.substr(1);
        }
    } else if (auto colon = host_port.rfind(':'); colon != std::string::npos) {
        host = host_port.substr(0, colon);
        port = host_port.substr(colon + 1);
    }
    parts.host = percent_decode(host, "host");
    if (parts.host.empty())
        throw StoreUrlError("the host is missing (" + std::string(url_forms) + ")");
    if (!port.empty()) {
        bool digits = port.size() <= 5;
        for (char c : port) digits = digits && c >= '0' && c <= '9';
        if (!digits || std::stoi(port) < 1 || std::stoi(port) > 65535)
            throw StoreUrlError("bad port \"" + port + "\"");
    }
    parts.port = port;
}

// KEY=VALUE&...: password_file, or one of passed_parameters.
void read_query(const std::string& query, PostgresqlUrl& parts) {
    std::istringstream pairs(query);
    for (std::string pair; std::getline(pairs, pair, '&');) {
        if (pair.empty()) continue;
        const auto eq = pair.find('=');
        if (eq == std::string::npos)
            throw StoreUrlError("query parameter \"" + pair + "\" needs =value");
        const std::string key = percent_decode(pair.substr(0, eq), "query");
        const std::string value = percent_decode(pair.substr(eq + 1), "query");
        if (key == "password" || key == "passfile")
            throw StoreUrlError("use ?password_file=/path (or PGPASSWORD), not ?" + key + "=");
        bool known = key == "password_file";
        for (const auto& name : passed_parameters) known = known || name == key;
        if (!known) {
            std::string allowed = "password_file";
            for (const auto& name : passed_parameters) allowed += ", " + name;
            throw StoreUrlError("unknown query parameter \"" + key + "\" (allowed: " + allowed +
                                ")");
        }
        if (key == "password_file")
            parts.password_file = value;
        else
            parts.parameters[key] = value;
        parts.shown_query += (parts.shown_query.empty() ? "?" : "&") + pair;
    }
}

// From the password_file, else PGPASSWORD (when set and not empty); else none.
std::optional<std::string> password(const PostgresqlUrl& parts, const GetEnv& get_env) {
    if (parts.password_file) return read_password_file(*parts.password_file);
    if (auto from_env = get_env ? get_env("PGPASSWORD") : std::nullopt;
        from_env && !from_env->empty())
        return from_env;
    return std::nullopt;
}

std::string connection_string(const PostgresqlUrl& parts,
                              const std::optional<std::string>& password) {
    std::string c = "host=" + quoted("host", parts.host);
    if (!parts.port.empty()) c += " port=" + quoted("port", parts.port);
    if (!parts.database.empty()) c += " dbname=" + quoted("database name", parts.database);
    if (!parts.user.empty()) c += " user=" + quoted("user name", parts.user);
    if (password) c += " password=" + quoted("password", *password);
    auto parameters = parts.parameters;
    if (!parameters.count("application_name")) parameters["application_name"] = "tickets-grouping";
    if (!parameters.count("connect_timeout")) parameters["connect_timeout"] = "10";
    for (const auto& [key, value] : parameters) c += " " + key + "=" + quoted(key, value);
    // CREATE ... IF NOT EXISTS and the like send NOTICEs that libpq would print on stderr.
    c += " options=" + quoted("options", "-cclient_min_messages=warning");
    return c;
}

// For logs and messages: the URL from its parts (a password is never among them).
std::string description(const PostgresqlUrl& parts) {
    const std::string& host = parts.host;
    return "postgresql://" + (parts.user.empty() ? "" : parts.user + "@") +
           (host.find(':') != std::string::npos ? "[" + host + "]" : host) +
           (parts.port.empty() ? "" : ":" + parts.port) + "/" + parts.database + parts.shown_query;
}

StoreUrl parse_postgresql(const std::string& url, size_t scheme_end, const GetEnv& get_env) {
    std::string rest = url.substr(scheme_end);
    if (rest.find('#') != std::string::npos)
        throw StoreUrlError("a PostgreSQL URL takes no #fragment");
    std::string query;
    if (auto q = rest.find('?'); q != std::string::npos) {
        query = rest.substr(q + 1);
        rest = rest.substr(0, q);
    }
    std::string authority = rest, path;
    if (auto slash = rest.find('/'); slash != std::string::npos) {
        authority = rest.substr(0, slash);
        path = rest.substr(slash + 1);
    }
    PostgresqlUrl parts;
    read_host_and_port(read_user(authority, parts), parts);
    if (path.find('/') != std::string::npos)
        throw StoreUrlError("the path must be just the database name");
    parts.database = percent_decode(path, "database name");
    read_query(query, parts);

    StoreUrl store;
    store.kind = StoreUrl::Kind::postgresql;
    store.connection_string = connection_string(parts, password(parts, get_env));
    store.description = description(parts);
    return store;
}

}  // namespace

StoreUrl StoreUrl::sqlite(const std::string& path) {
    StoreUrl store;
    store.kind = Kind::sqlite;
    store.sqlite_path = path;
    store.description = "sqlite:" + path;
    return store;
}

std::string default_store_url(const std::string& state_dir) {
    std::string dir = state_dir;
    while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
    return "sqlite:" + dir + "/spool.sqlite3";
}

StoreUrl parse_store_url(const std::string& url, const GetEnv& get_env) {
    if (url.rfind("sqlite:", 0) == 0) {
        std::string path = url.substr(7);
        if (path.rfind("//", 0) == 0) path = path.substr(2);  // sqlite:///var/lib/x
        if (path.empty())
            throw StoreUrlError("sqlite: needs a file, as in sqlite:/var/lib/spool.sqlite3");
        return StoreUrl::sqlite(path);
    }
    for (const char* scheme : {"postgresql://", "postgres://"})
        if (url.rfind(scheme, 0) == 0) return parse_postgresql(url, std::strlen(scheme), get_env);
    if (url.find("://") != std::string::npos && url.find('@') != std::string::npos)
        throw StoreUrlError(std::string("unknown kind of store (") + url_forms + ")");
    throw StoreUrlError("unknown kind of store \"" + url + "\" (" + url_forms + ")");
}

}  // namespace tg::host
