#include "delivery_lane.hpp"

namespace tg::redmine {

namespace {

ClientOptions client_options(const Config& c) {
    return {c.url, c.api_key, c.ca_file, c.tls_verify, c.timeout, c.max_requests_per_second};
}

}  // namespace

DeliveryLane::DeliveryLane(const LaneShared& shared)
    : client(client_options(shared.config), shared.pacer),
      text(shared.config.text_formatting, shared.config.time_zone, shared.config.language,
           shared.config.templates),
      formats(shared.config, client, text, shared.host, shared.format),
      store(shared.state, shared.locks),
      statuses(client, shared.config.tracker_id, shared.statuses),
      fields(shared.config, client, text, shared.host, shared.fields),
      executor(shared.config, client, store, statuses, text, formats, fields, shared.host,
               shared.clock) {
    // One debug line per Redmine request: operators and tests can count what each alert cost.
    // The same requests as a histogram: redmine_request_duration_seconds{method,status}.
    const tg::HostServices& host = shared.host;
    client.set_observer([&host](const std::string& method, const std::string& path, int status,
                                double ms) {
        host.debug("redmine request method=" + method + " path=" + path.substr(0, path.find('?')) +
                   " status=" + std::to_string(status) +
                   " ms=" + std::to_string(static_cast<int>(ms)));
        host.observe("redmine_request_duration_seconds",
                     "method=" + method + ",status=" + std::to_string(status), ms / 1000.0);
    });
}

}  // namespace tg::redmine
