#include "http/webhook_auth.hpp"

#include <Poco/Base64Decoder.h>
#include <Poco/DigestEngine.h>
#include <Poco/Exception.h>
#include <Poco/SHA2Engine.h>

#include <cctype>
#include <iterator>
#include <sstream>

namespace tg::host {
namespace {

// Hashing first makes the comparison independent of the lengths too.
bool constant_time_equal(const std::string& a, const std::string& b) {
    Poco::SHA2Engine ha, hb;
    ha.update(a);
    hb.update(b);
    const auto da = ha.digest();
    const auto db = hb.digest();
    unsigned char diff = 0;
    for (size_t i = 0; i < da.size(); ++i) diff |= static_cast<unsigned char>(da[i] ^ db[i]);
    return diff == 0;
}

bool starts_with_scheme(const std::string& header, const std::string& scheme, std::string& rest) {
    if (header.size() <= scheme.size() + 1) return false;
    for (size_t i = 0; i < scheme.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(header[i])) != scheme[i]) return false;
    if (header[scheme.size()] != ' ') return false;
    rest = header.substr(scheme.size() + 1);
    return true;
}

}  // namespace

bool webhook_authorized(const WebhookAuth& auth, const std::string& header) {
    if (!auth.enabled()) return true;
    std::string credentials;
    if (auth.bearer_token) {
        if (!starts_with_scheme(header, "bearer", credentials)) return false;
        return constant_time_equal(credentials, *auth.bearer_token);
    }
    if (!starts_with_scheme(header, "basic", credentials)) return false;
    std::string decoded;
    try {
        std::istringstream in(credentials);
        Poco::Base64Decoder decoder(in);
        decoded.assign(std::istreambuf_iterator<char>(decoder), std::istreambuf_iterator<char>());
    } catch (const Poco::Exception&) {
        return false;
    }
    const bool user_ok =
        constant_time_equal(decoded.substr(0, decoded.find(':')), *auth.basic_username);
    const bool password_ok =
        decoded.find(':') != std::string::npos &&
        constant_time_equal(decoded.substr(decoded.find(':') + 1), *auth.basic_password);
    return user_ok && password_ok;
}

}  // namespace tg::host
