#include "http/webhook_handler.hpp"

#include "http/responses.hpp"
#include "intake/route_notification.hpp"
#include "observability/log.hpp"
#include "webhook/notification.hpp"

#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>

#include <chrono>
#include <istream>

namespace tg::host {
namespace {

using Poco::Net::HTTPResponse;

HTTPResponse::HTTPStatus to_status(int code) { return static_cast<HTTPResponse::HTTPStatus>(code); }

}  // namespace

void WebhookHandler::refuse(Poco::Net::HTTPServerResponse& response, const char* reason, int status,
                            const std::string& message, bool read_all) {
    runtime_.metrics.counter(metric::webhook_rejected_total, {{"reason", reason}}).fetch_add(1);
    if (!read_all) response.setKeepAlive(false);  // the unread body would be the next request
    if (status == HTTPResponse::HTTP_SERVICE_UNAVAILABLE) response.set("Retry-After", "1");
    send_error(response, to_status(status), message);
}

// The body, within max_body_bytes, the read timeout and the budget; "" and an answer sent when
// it was refused.
bool WebhookHandler::read_body(Poco::Net::HTTPServerRequest& request,
                               Poco::Net::HTTPServerResponse& response,
                               const ServerSettings& server, IntakeBudget::Reservation& budget,
                               std::string& body) {
    const size_t limit = server.max_body_bytes;
    const bool has_length = request.hasContentLength();
    const int64_t length = has_length ? request.getContentLength64() : -1;
    if (length > static_cast<int64_t>(limit)) {
        refuse(response, "too_large", HTTPResponse::HTTP_REQUEST_ENTITY_TOO_LARGE,
               "body of " + std::to_string(length) + " bytes exceeds the limit of " +
                   std::to_string(limit));
        return false;
    }
    const size_t first = std::min<size_t>(has_length ? length : 65536, limit) + 1;
    if (!budget.hold(body_cost(first))) {
        refuse(response, "busy", HTTPResponse::HTTP_SERVICE_UNAVAILABLE,
               "too many webhook bodies in flight (server.max_inflight_bytes), retry later");
        return false;
    }
    body.resize(first);
    size_t size = 0;
    std::istream& in = request.stream();
    // One receive per round (peek, then what it buffered), so that the whole body has a deadline:
    // a client trickling a byte at a time would otherwise hold this thread for ever.
    const auto deadline = std::chrono::steady_clock::now() + server.read_timeout;
    while (in && size <= limit) {
        if (std::chrono::steady_clock::now() > deadline) {
            refuse(response, "timeout", HTTPResponse::HTTP_REQUEST_TIMEOUT,
                   "the body took longer than the read timeout");
            return false;
        }
        if (in.peek() == std::char_traits<char>::eof()) break;
        if (size == body.size()) {
            const size_t grown = std::min(body.size() * 2, limit + 1);
            if (!budget.hold(body_cost(grown))) {
                refuse(
                    response, "busy", HTTPResponse::HTTP_SERVICE_UNAVAILABLE,
                    "too many webhook bodies in flight (server.max_inflight_bytes), retry later");
                return false;
            }
            body.resize(grown);
        }
        size += static_cast<size_t>(
            in.readsome(body.data() + size, static_cast<std::streamsize>(body.size() - size)));
        if (size == limit + 1) break;
    }
    body.resize(size);
    if (size > limit) {
        refuse(response, "too_large", HTTPResponse::HTTP_REQUEST_ENTITY_TOO_LARGE,
               "body exceeds the limit of " + std::to_string(limit) + " bytes");
        return false;
    }
    if (has_length && static_cast<int64_t>(size) < length) {
        refuse(response, "truncated", HTTPResponse::HTTP_BAD_REQUEST,
               "body has " + std::to_string(size) + " bytes, Content-Length announced " +
                   std::to_string(length));
        return false;
    }
    return true;
}

void WebhookHandler::handleRequest(Poco::Net::HTTPServerRequest& request,
                                   Poco::Net::HTTPServerResponse& response) {
    auto config = runtime_.config();
    IntakeBudget::Reservation budget(runtime_.intake_budget, config->server.max_inflight_bytes);
    std::string body;
    if (!read_body(request, response, config->server, budget, body)) return;

    Notification notification;
    ParseLimits limits;
    limits.max_alerts = config->server.max_alerts;
    limits.reserve = [&](size_t bytes) { return budget.hold_at_least(body.capacity() + bytes); };
    try {
        notification = parse_notification(body, limits);
    } catch (const WebhookError& e) {
        const int status = e.http_status;
        log::warn("webhook refused", {{"status", std::to_string(status)},
                                      {"error", e.what()},
                                      {"client", request.clientAddress().toString()}});
        refuse(response,
               status == 503   ? "busy"
               : status == 400 ? "malformed"
               : status == 413 ? "too_many_alerts"
                               : "invalid",
               status, e.what(), true);
        return;
    }
    std::string().swap(body);  // parsed: the body's memory goes back now
    // The payloads are about the size of the parsed alerts; both are held while routing.
    if (!budget.hold(2 * notification.bytes())) {
        refuse(response, "busy", HTTPResponse::HTTP_SERVICE_UNAVAILABLE,
               "too many webhook bodies in flight (server.max_inflight_bytes), retry later", true);
        return;
    }

    auto deliveries = route_notification(notification, config->root, *runtime_.groups());
    const size_t alerts = notification.alert_count();
    notification = Notification();  // the deliveries hold what the sinks get
    size_t payloads = 0;
    for (const auto& d : deliveries) payloads += d.payload.capacity();
    budget.hold(payloads);  // less than what the parse held: always granted
    try {
        runtime_.intake.commit(std::move(deliveries));
    } catch (const SpoolError& e) {
        log::error("webhook not accepted: spool unavailable", {{"error", e.what()}});
        refuse(response, "spool_unavailable", HTTPResponse::HTTP_SERVICE_UNAVAILABLE,
               "cannot store the notification now, retry later", true);
        return;
    }
    runtime_.metrics.counter(metric::notifications_received_total).fetch_add(1);
    runtime_.metrics.counter(metric::alerts_received_total).fetch_add(alerts);
    send_ok(response);
}

}  // namespace tg::host
