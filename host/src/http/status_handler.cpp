#include "http/status_handler.hpp"

#include "http/page_language.hpp"
#include "http/status_page.hpp"

#include <map>

namespace tg::host {
namespace {

constexpr size_t dead_letters_read = 200;  // the newest, across sinks: the page shows 20 a sink

}  // namespace

StatusSnapshot collect_status(Runtime& runtime) {
    StatusSnapshot s;
    s.version = runtime.version;
    s.now_ms = now_ms();
    const auto config = runtime.config();
    const auto& auth = config->server.auth;
    s.auth = !auth.enabled() ? "" : auth.bearer_token ? "bearer" : "basic";
    for (const auto& sink : config->sinks) s.sinks.push_back({sink.name, sink.plugin});
    auto sink_named = [&s](const std::string& name) -> SinkStatus& {
        for (auto& sink : s.sinks)
            if (sink.name == name) return sink;
        s.sinks.push_back({name, "-"});  // no longer configured, or another replica's
        return s.sinks.back();
    };
    if (runtime.sink_health)
        for (const auto& h : runtime.sink_health()) {
            SinkStatus& sink = sink_named(h.sink);
            sink.attempted = h.at_ms != 0;
            sink.healthy = h.healthy;
            sink.error = h.error;
            sink.last_success_ms = h.last_success_ms;
            sink.last_error_ms = h.last_error_ms;
            sink.last_error = h.last_error;
        }
    try {
        if (runtime.sink_queues)
            for (const auto& [name, stats] : runtime.sink_queues()) {
                SinkStatus& sink = sink_named(name);
                sink.queue_depth = stats.depth;
                sink.oldest_pending_ms = stats.oldest_created_ms;
                sink.dead_letter_count = stats.dead_letters;
            }
        if (runtime.latest_dead_letters)
            for (auto& d : runtime.latest_dead_letters(dead_letters_read))
                sink_named(d.sink).dead_letters.push_back(std::move(d));
    } catch (const std::exception& e) {  // the store is unreachable: the rest is still worth it
        s.store_error = e.what();
    }
    if (runtime.hooks) s.hooks = runtime.hooks();
    if (runtime.recent_deliveries) s.deliveries = runtime.recent_deliveries();
    return s;
}

void send_status_page(Runtime& runtime, Poco::Net::HTTPServerRequest& request,
                      Poco::Net::HTTPServerResponse& response) {
    const std::string html = render_status_page(collect_status(runtime),
                                                page_language(request.get("Accept-Language", "")));
    response.setStatusAndReason(Poco::Net::HTTPResponse::HTTP_OK);
    response.setContentType("text/html; charset=utf-8");
    response.set("Cache-Control", "no-store");
    response.set("Vary", "Accept-Language, Authorization");
    // Nothing but the inline style may load or run, should an escape ever be missed.
    response.set("Content-Security-Policy",
                 "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; "
                 "form-action 'none'; frame-ancestors 'none'");
    response.set("X-Content-Type-Options", "nosniff");
    response.set("Referrer-Policy", "no-referrer");
    response.setContentLength(static_cast<std::streamsize>(html.size()));
    if (request.getMethod() == "HEAD") {
        response.send();
        return;
    }
    response.send() << html;
}

}  // namespace tg::host
