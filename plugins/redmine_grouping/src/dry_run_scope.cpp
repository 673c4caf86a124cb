#include "dry_run_scope.hpp"

namespace tg::redmine {

DryRunScope::DryRunScope(bool dry_run, RedmineClient& client, StateStore& store,
                         const tg::HostServices& host)
    : store_(store), host_(host) {
    if (!dry_run) return;
    client.set_dry_run([&host](const std::string& line) { host.info(line); });
    store_.begin_dry_run();
    client_ = &client;
}

DryRunScope::~DryRunScope() {
    if (!client_) return;
    try {
        end();
    } catch (const std::exception& e) {
        host_.error(std::string("dry run: its state changes could not be undone: ") + e.what());
    } catch (...) {
    }
}

void DryRunScope::end() {
    if (!client_) return;
    client_->set_dry_run(nullptr);
    client_ = nullptr;
    store_.end_dry_run();
}

}  // namespace tg::redmine
