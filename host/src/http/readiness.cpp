#include "http/readiness.hpp"

#include "http/privileged_access.hpp"
#include "http/responses.hpp"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <sstream>

namespace tg::host {

void send_readiness(Runtime& runtime, Poco::Net::HTTPServerResponse& response, bool detail) {
    if (!runtime.intake.write_error().empty()) {
        // The last write failed: probe now, so readiness returns once the disk does, even
        // before Alertmanager sends again.
        try {
            runtime.intake.commit({});
        } catch (const std::exception&) {
        }
    }
    const std::string spool_error = runtime.intake.write_error();
    Poco::JSON::Array::Ptr failing = new Poco::JSON::Array;
    if (runtime.sink_health)
        for (const auto& sink : runtime.sink_health()) {
            if (sink.healthy) continue;
            Poco::JSON::Object::Ptr entry = new Poco::JSON::Object;
            entry->set("sink", sink.sink);
            entry->set("result", sink.result);
            if (detail) entry->set("error", sink.error.substr(0, 1000));
            entry->set("since_ms", sink.at_ms);
            failing->add(entry);
        }
    const bool ready = spool_error.empty() && failing->size() == 0;
    Poco::JSON::Object body;
    body.set("status", ready ? "ok" : "error");
    if (!spool_error.empty()) body.set("spool", detail ? spool_error : "cannot write");
    if (failing->size() > 0) body.set("failing", failing);
    // Dead letters are not unreadiness (the host takes alerts), but an operator should see them.
    if (runtime.dead_letters) {
        try {
            if (const int64_t count = runtime.dead_letters(); count > 0)
                body.set("dead_letters", count);
        } catch (const std::exception&) {  // the store is unreachable: the spool error says so
        }
    }
    const std::string exposure =
        unauthenticated_exposure(runtime.listen, runtime.config()->server.auth);
    if (!exposure.empty()) {
        Poco::JSON::Array::Ptr warnings = new Poco::JSON::Array;
        warnings->add(exposure);
        body.set("warnings", warnings);
    }
    if (!ready && !detail)
        body.set("detail",
                 "the errors are shown to a request with the webhook's credentials "
                 "(without auth: from loopback), and are in the host's log");
    std::ostringstream text;
    body.stringify(text);
    send_json(response,
              ready ? Poco::Net::HTTPResponse::HTTP_OK
                    : Poco::Net::HTTPResponse::HTTP_SERVICE_UNAVAILABLE,
              text.str());
}

}  // namespace tg::host
