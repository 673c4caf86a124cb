// Shared by spool_store*_test.cpp: deliveries of a sink by key, committed in one batch, and the key
// a claim got.
#pragma once

#include "spool/spool.hpp"

#include <initializer_list>
#include <string>
#include <vector>

namespace tg::test::spool_store {

inline tg::host::NewDelivery delivery(const std::string& sink, const std::string& key) {
    return {sink, "route", "{\"alerts\":[],\"n\":\"" + key + "\"}", key, ""};
}

inline void commit(tg::host::Spool& spool, const std::string& sink,
                   std::initializer_list<std::string> keys) {
    std::vector<tg::host::NewDelivery> batch;
    for (const auto& key : keys) batch.push_back(delivery(sink, key));
    spool.commit(batch);
}

inline std::string claimed_key(const tg::host::Claim& claim) {
    return claim.delivery ? claim.delivery->idempotency_key : "";
}

}  // namespace tg::test::spool_store
