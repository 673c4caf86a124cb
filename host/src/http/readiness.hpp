// GET /readyz: 200 when the spool takes writes and every sink's last delivery succeeded (or none
// was made yet), else 503 naming what fails. The errors themselves (request paths with labels,
// database hosts and users) only for a privileged request (privileged_access.hpp); others get
// the summary. A listener open beyond loopback without auth is reported, still ready.
#pragma once

#include "http/runtime.hpp"

#include <Poco/Net/HTTPServerResponse.h>

namespace tg::host {

void send_readiness(Runtime& runtime, Poco::Net::HTTPServerResponse& response, bool detail);

}  // namespace tg::host
