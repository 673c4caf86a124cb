#include "spool/store_url.hpp"

#include "system/file_read.hpp"

#include <cstring>
#include <map>
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
    std::string user, host_port = authority;
    if (auto at = authority.rfind('@'); at != std::string::npos) {
        const std::string user_info = authority.substr(0, at);
        if (user_info.find(':') != std::string::npos)
            throw StoreUrlError(
                "do not write the password into the URL (it would show in process "
                "lists and files): put it in a file named by ?password_file=/path, or in "
                "PGPASSWORD");
        user = percent_decode(user_info, "user name");
        host_port = authority.substr(at + 1);
    }
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
    host = percent_decode(host, "host");
    if (host.empty()) throw StoreUrlError("the host is missing (" + std::string(url_forms) + ")");
    if (!port.empty()) {
        bool digits = port.size() <= 5;
        for (char c : port) digits = digits && c >= '0' && c <= '9';
        if (!digits || std::stoi(port) < 1 || std::stoi(port) > 65535)
            throw StoreUrlError("bad port \"" + port + "\"");
    }
    if (path.find('/') != std::string::npos)
        throw StoreUrlError("the path must be just the database name");
    const std::string database = percent_decode(path, "database name");

    std::map<std::string, std::string> parameters;
    std::optional<std::string> password_file;
    std::string shown_query;
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
            password_file = value;
        else
            parameters[key] = value;
        shown_query += (shown_query.empty() ? "?" : "&") + pair;
    }

    std::optional<std::string> password;
    if (password_file)
        password = read_password_file(*password_file);
    else if (auto from_env = get_env ? get_env("PGPASSWORD") : std::nullopt;
             from_env && !from_env->empty())
        password = from_env;

    StoreUrl store;
    store.kind = StoreUrl::Kind::postgresql;
    std::string& c = store.connection_string;
    c = "host=" + quoted("host", host);
    if (!port.empty()) c += " port=" + quoted("port", port);
    if (!database.empty()) c += " dbname=" + quoted("database name", database);
    if (!user.empty()) c += " user=" + quoted("user name", user);
    if (password) c += " password=" + quoted("password", *password);
    if (!parameters.count("application_name")) parameters["application_name"] = "tickets-grouping";
    if (!parameters.count("connect_timeout")) parameters["connect_timeout"] = "10";
    for (const auto& [key, value] : parameters) c += " " + key + "=" + quoted(key, value);
    // CREATE ... IF NOT EXISTS and the like send NOTICEs that libpq would print on stderr.
    c += " options=" + quoted("options", "-cclient_min_messages=warning");

    store.description = "postgresql://" + (user.empty() ? "" : user + "@") +
                        (host.find(':') != std::string::npos ? "[" + host + "]" : host) +
                        (port.empty() ? "" : ":" + port) + "/" + database + shown_query;
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
