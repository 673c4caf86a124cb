// POST /-/run-hook?hook=SINK:HOOK[&dry_run=true] and POST /-/replay?source=NAME[&dry_run=true]
// (body: a saved webhook body): the one-shot commands of a process that found this host on its
// state directory. Answers 200 {"exit_code":N,"out":"...","err":"..."}, what the command prints.
// Privileged (http/privileged_access.hpp), checked by the caller.
#pragma once

#include "http/runtime.hpp"

#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>

namespace tg::host {

void send_run_hook(Runtime& runtime, Poco::Net::HTTPServerRequest& request,
                   Poco::Net::HTTPServerResponse& response);
void send_replay(Runtime& runtime, Poco::Net::HTTPServerRequest& request,
                 Poco::Net::HTTPServerResponse& response);
// POST /-/dry-deliver?sink=NAME&route=PATH&key=KEY (body: the payload as spooled): a dead
// letter given to its sink as a dry run (`dead-letters retry --dry-run`).
void send_dry_delivery(Runtime& runtime, Poco::Net::HTTPServerRequest& request,
                       Poco::Net::HTTPServerResponse& response);

}  // namespace tg::host
