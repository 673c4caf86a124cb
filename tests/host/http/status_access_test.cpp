// Who may read the status page: the privileged rule, the same as /-/reload's. With auth
// configured, the webhook's credentials (401 without them, from loopback too); without auth,
// loopback clients only (403 for the others).
#include "http/privileged_access.hpp"

#include <Poco/Base64Encoder.h>
#include <catch2/catch.hpp>

#include <sstream>

using Poco::Net::IPAddress;
using tg::host::Access;
using tg::host::privileged_access;
using tg::host::WebhookAuth;

namespace {

std::string basic(const std::string& user_password) {
    std::ostringstream out;
    Poco::Base64Encoder encoder(out);
    encoder << user_password;
    encoder.close();
    return "Basic " + out.str();
}

}  // namespace

TEST_CASE("issue 14: without auth the status page is for loopback clients only") {
    const WebhookAuth none;
    CHECK(privileged_access(none, "", IPAddress("127.0.0.1")) == Access::granted);
    CHECK(privileged_access(none, "", IPAddress("127.3.4.5")) == Access::granted);
    CHECK(privileged_access(none, "", IPAddress("::1")) == Access::granted);
    CHECK(privileged_access(none, "", IPAddress("::ffff:127.0.0.1")) == Access::granted);
    CHECK(privileged_access(none, "", IPAddress("192.0.2.10")) == Access::forbidden);
    CHECK(privileged_access(none, "", IPAddress("::ffff:192.0.2.10")) == Access::forbidden);
    CHECK(privileged_access(none, "Bearer anything", IPAddress("10.0.0.1")) == Access::forbidden);
}

TEST_CASE("issue 14: with auth the status page needs the webhook's credentials, loopback too") {
    WebhookAuth bearer;
    bearer.bearer_token = "s3cret";
    CHECK(privileged_access(bearer, "", IPAddress("127.0.0.1")) == Access::unauthorized);
    CHECK(privileged_access(bearer, "Bearer wrong", IPAddress("127.0.0.1")) ==
          Access::unauthorized);
    CHECK(privileged_access(bearer, "Bearer s3cret", IPAddress("192.0.2.10")) == Access::granted);

    WebhookAuth user;
    user.basic_username = "alertmanager";
    user.basic_password = "pässword";
    CHECK(privileged_access(user, "", IPAddress("::1")) == Access::unauthorized);
    CHECK(privileged_access(user, basic("alertmanager:nope"), IPAddress("::1")) ==
          Access::unauthorized);
    CHECK(privileged_access(user, basic("alertmanager:pässword"), IPAddress("192.0.2.10")) ==
          Access::granted);
}
