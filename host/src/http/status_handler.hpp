// GET /: reads the running host's state through the Runtime and answers the status page, in the
// language the browser asks for. Who may see it is the handler factory's (privileged_access).
#pragma once

#include "http/runtime.hpp"
#include "http/status_snapshot.hpp"

#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>

namespace tg::host {

// The host's state now: configured sinks first (in the routing file's order), then any other
// sink still holding rows in the store.
StatusSnapshot collect_status(Runtime& runtime);

void send_status_page(Runtime& runtime, Poco::Net::HTTPServerRequest& request,
                      Poco::Net::HTTPServerResponse& response);

}  // namespace tg::host
