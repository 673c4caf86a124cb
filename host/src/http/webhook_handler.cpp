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

void WebhookHandler::handleRequest(Poco::Net::HTTPServerRequest& request,
                                   Poco::Net::HTTPServerResponse& response) {
    auto config = runtime_.config();
    const size_t limit = config->server.max_body_bytes;
    auto rejected = [&](const char* reason) -> std::atomic<uint64_t>& {
        return runtime_.metrics.counter("tickets_grouping_webhook_rejected_total",
                                        "Webhook requests refused, by reason.",
                                        {{"reason", reason}});
    };

    if (request.hasContentLength() && request.getContentLength64() > static_cast<int64_t>(limit)) {
        rejected("too_large").fetch_add(1);
        response.setKeepAlive(false);  // the unread body would be taken for the next request
        send_error(response, HTTPResponse::HTTP_REQUEST_ENTITY_TOO_LARGE,
                   "body of " + std::to_string(request.getContentLength64()) +
                       " bytes exceeds the limit of " + std::to_string(limit));
        return;
    }
    std::string body;
    body.resize(
        std::min<size_t>(request.hasContentLength() ? request.getContentLength64() : 65536, limit) +
        1);
    size_t size = 0;
    std::istream& in = request.stream();
    // One receive per round (peek, then what it buffered), so that the whole body has a deadline:
    // a client trickling a byte at a time would otherwise hold this thread for ever.
    const auto deadline = std::chrono::steady_clock::now() + config->server.read_timeout;
    bool late = false;
    while (in && size <= limit) {
        if (std::chrono::steady_clock::now() > deadline) {
            late = true;
            break;
        }
        if (in.peek() == std::char_traits<char>::eof()) break;
        if (size == body.size()) body.resize(std::min(body.size() * 2, limit + 1));
        size += static_cast<size_t>(
            in.readsome(body.data() + size, static_cast<std::streamsize>(body.size() - size)));
        if (size == limit + 1) break;
    }
    body.resize(size);
    if (late) {
        rejected("timeout").fetch_add(1);
        response.setKeepAlive(false);
        send_error(response, HTTPResponse::HTTP_REQUEST_TIMEOUT,
                   "the body took longer than the read timeout");
        return;
    }
    if (size > limit) {
        rejected("too_large").fetch_add(1);
        response.setKeepAlive(false);
        send_error(response, HTTPResponse::HTTP_REQUEST_ENTITY_TOO_LARGE,
                   "body exceeds the limit of " + std::to_string(limit) + " bytes");
        return;
    }
    if (request.hasContentLength() && static_cast<int64_t>(size) < request.getContentLength64()) {
        rejected("truncated").fetch_add(1);
        response.setKeepAlive(false);
        send_error(response, HTTPResponse::HTTP_BAD_REQUEST,
                   "body has " + std::to_string(size) + " bytes, Content-Length announced " +
                       std::to_string(request.getContentLength64()));
        return;
    }

    Notification notification;
    try {
        notification = parse_notification(body);
    } catch (const WebhookError& e) {
        rejected(e.http_status == 400 ? "malformed" : "invalid").fetch_add(1);
        log::warn("webhook refused", {{"status", std::to_string(e.http_status)},
                                      {"error", e.what()},
                                      {"client", request.clientAddress().toString()}});
        send_error(response, to_status(e.http_status), e.what());
        return;
    }

    auto deliveries = route_notification(notification, config->root);
    try {
        runtime_.intake.commit(std::move(deliveries));
    } catch (const SpoolError& e) {
        rejected("spool_unavailable").fetch_add(1);
        log::error("webhook not accepted: spool unavailable", {{"error", e.what()}});
        send_error(response, HTTPResponse::HTTP_SERVICE_UNAVAILABLE,
                   "cannot store the notification now, retry later");
        return;
    }
    runtime_.metrics
        .counter("tickets_grouping_notifications_received_total", "Webhook notifications accepted.")
        .fetch_add(1);
    runtime_.metrics
        .counter("tickets_grouping_alerts_received_total", "Alerts in accepted notifications.")
        .fetch_add(notification.alert_labels.size());
    send_ok(response);
}

}  // namespace tg::host
