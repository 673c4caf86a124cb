// What one delivery works with, one set per delivery running at once: a keep-alive session to
// Redmine, a connection to the state, and the caches and executor built on them. None of these
// may be used by two threads at once, so concurrent deliveries (of different groups, ABI 1.6)
// each take a lane of their own from the sink's LanePool, as another replica on the same store
// would. Shared by all the lanes of a sink: the request pacer (Redmine's rate and backoff are
// the sink's), the embedded store's named locks (groups and the rebuild, across lanes) and what
// the sink learned of Redmine (its text formatting, statuses and names: parallelism adds no
// reads), which each lane reads with its own client when no lane has yet.
#pragma once

#include "clock.hpp"
#include "config.hpp"
#include "executor.hpp"
#include "learned_format.hpp"
#include "lock_table.hpp"
#include "redmine_client.hpp"
#include "request_pacer.hpp"
#include "state_store.hpp"
#include "status_catalog.hpp"
#include "text.hpp"
#include "text_format.hpp"
#include "ticket_fields.hpp"

#include <tickets_grouping/sink.hpp>

#include <memory>

namespace tg::redmine {

// What the lanes of one sink instance share; outlives them.
struct LaneShared {
    const Config& config;
    StateLocation state;
    std::shared_ptr<RequestPacer> pacer;
    std::shared_ptr<LockTable> locks;
    std::shared_ptr<LearnedFormat> format;
    std::shared_ptr<StatusCatalog::Shared> statuses;
    std::shared_ptr<TicketFields::Shared> fields;
    const tg::HostServices& host;
    const Clock& clock;
};

struct DeliveryLane {
    // Opens the state (throws as StateStore does); Redmine is reached at the first request.
    explicit DeliveryLane(const LaneShared& shared);
    DeliveryLane(const DeliveryLane&) = delete;
    DeliveryLane& operator=(const DeliveryLane&) = delete;

    RedmineClient client;
    TextBuilder text;  // its text formatting is learned from Redmine (formats)
    TextFormatting formats;
    StateStore store;
    StatusCatalog statuses;
    TicketFields fields;
    Executor executor;
};

}  // namespace tg::redmine
