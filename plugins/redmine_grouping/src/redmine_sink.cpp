#include "redmine_sink.hpp"

#include "alert_key.hpp"
#include "carry_over.hpp"
#include "config_check.hpp"
#include "dry_run_scope.hpp"
#include "flap_summary.hpp"
#include "rebuild.hpp"
#include "reconcile.hpp"

#include <filesystem>

namespace tg::redmine {

namespace {

Config load_config(const tg::SinkContext& context) {
    const tg::HostServices host = context.host;
    return parse_config(context.config_json,
                        [host](const std::string& name) { return host.env(name); });
}

// The replicas' shared store when the host has one, so that they share what they know of
// Redmine; else a file in the instance's state directory.
StateLocation state_location(const tg::SinkContext& context) {
    if (!context.shared_store.empty())
        return StateLocation::shared(context.shared_store,
                                     shared_schema_name("redmine_grouping", context.instance_name));
    if (context.state_dir.empty())
        throw std::invalid_argument("redmine_grouping: the host gave no state directory");
    return StateLocation::sqlite(
        (std::filesystem::path(context.state_dir) / "redmine_state.sqlite3").string());
}

constexpr int64_t kKeepAppliedKeys = 30 * 86400;  // far longer than any host retry

// How the sink makes a lane: with the pacer, the embedded store's locks and what is learned of
// Redmine, of all its lanes.
LanePool<DeliveryLane>::Make lane_maker(const Config& config, StateLocation state,
                                        const tg::HostServices& host, const Clock& clock) {
    LaneShared shared{config,
                      std::move(state),
                      std::make_shared<RequestPacer>(config.max_requests_per_second),
                      std::make_shared<LockTable>(),
                      std::make_shared<LearnedFormat>(config.timeout),
                      std::make_shared<StatusCatalog::Shared>(),
                      std::make_shared<TicketFields::Shared>(),
                      host,
                      clock};
    return [shared] { return std::make_unique<DeliveryLane>(shared); };
}

}  // namespace

RedmineSink::RedmineSink(const tg::SinkContext& context)
    : host_(context.host),
      config_(load_config(context)),
      lanes_(lane_maker(config_, state_location(context), host_, clock_)),
      alertmanager_(config_.alertmanager, config_.timeout) {
    for (const auto& warning : config_.warnings) host_.warn(warning);
    // A rebuild recognises tickets by their default subjects, or by the alert key field.
    for (const char* name : {"subject", "root_subject"})
        if (config_.templates.count(name) && config_.alert_key_field == 0)
            host_.warn(std::string("templates.") + name +
                       ": without alert_key_field a lost state cannot be rebuilt from Redmine "
                       "(the tickets would be created again)");
}

std::vector<tg::Hook> RedmineSink::hooks() const {
    std::vector<tg::Hook> hooks{{"carry_over", config_.carry_over_schedule, config_.time_zone}};
    // Every minute: a window's summary is due once it has been stable for flap_window.
    if (config_.flap_window.count() > 0)
        hooks.push_back({"flap_summary", "* * * * *", config_.time_zone});
    // Every minute: the batch notes a delivery left for later (its Root had one a minute ago).
    if (config_.max_children > 0) hooks.push_back({"root_batches", "* * * * *", config_.time_zone});
    if (!config_.alertmanager.urls.empty())
        hooks.push_back({"reconcile", config_.reconcile_schedule, config_.time_zone});
    return hooks;
}

RequestCounts RedmineSink::request_counts() const {
    RequestCounts sum;
    lanes_.for_each([&sum](const DeliveryLane& lane) {
        sum.get += lane.client.counts().get;
        sum.post += lane.client.counts().post;
        sum.put += lane.client.counts().put;
    });
    return sum;
}

void RedmineSink::ensure_state(DeliveryLane& lane) {
    // Once per empty state; after that deliveries make no list or search request. Replicas on
    // a shared store, and lanes of this sink: one rebuilds, the others find it done.
    StateStore& store = lane.store;
    if (!store.needs_rebuild()) return;
    const auto lock = store.lock("rebuild");
    if (store.needs_rebuild())
        rebuild_state(lane.client, store, config_, host_, unix_seconds(clock_.now()));
}

// Concurrently for different groups: each delivery in a lane of its own.
void RedmineSink::deliver(const tg::Delivery& delivery) {
    const auto lane = lanes_.take();
    // A claim on learning the text formatting that the delivery leaves (it failed before its
    // first issue showed it, or created none) goes with it: the other lanes wait no longer.
    const TextFormatting::Release release(lane->formats);
    deliver_in(*lane, delivery);
}

void RedmineSink::deliver_in(DeliveryLane& lane, const tg::Delivery& delivery) {
    StateStore& store = lane.store;
    Executor& executor = lane.executor;
    store.ensure_open();
    const std::string key(delivery.idempotency_key);
    if (!key.empty() && store.applied(key)) {
        host_.debug("delivery " + key + " was already applied");
        return;
    }
    Notification notification;
    try {
        notification = decode_notification(delivery.notification_json);
    } catch (const std::invalid_argument& e) {
        throw tg::Drop(std::string("redmine_grouping: ") + e.what());
    }

    const bool dry = delivery.dry_run;
    DryRunScope dry_run(dry, lane.client, store, host_);
    std::vector<std::string> failures = notification.rejected;  // these cannot succeed on a retry
    for (const auto& why : notification.rejected) host_.error(why);
    bool retryable = false;
    ensure_state(lane);
    for (const Alert& alert : notification.alerts) {
        try {
            executor.apply_in_group(alert, notification.external_url, clock_.now());
            if (!dry) log_delivered(lane, delivery, alert);
        } catch (const tg::Drop& e) {
            failures.push_back(e.what());
            host_.error(std::string("alert ") + ticket_key(alert, config_.key_labels) + ": " +
                        e.what());
        } catch (const std::exception& e) {  // tg::RetryLater, SQLite, ...: worth a retry
            retryable = true;
            failures.push_back(e.what());
            host_.warn(std::string("alert ") + ticket_key(alert, config_.key_labels) + ": " +
                       e.what());
        }
    }
    if (config_.max_children > 0) {
        try {  // the delivery's batch notes; a retry finds its alerts done and writes them then
            executor.write_batches(clock_.now(), true);
        } catch (const tg::Drop& e) {
            failures.push_back(std::string("batch note: ") + e.what());
        } catch (const std::exception& e) {
            retryable = true;
            failures.push_back(std::string("batch note: ") + e.what());
        }
    }
    if (failures.empty() && !dry && !key.empty()) {
        const int64_t t = unix_seconds(clock_.now());
        store.mark_applied(key, t);
        store.prune_applied(t - kKeepAppliedKeys);
    }
    dry_run.end();
    if (failures.empty()) return;
    std::string message = "redmine_grouping: " + std::to_string(failures.size()) + " of " +
                          std::to_string(notification.size()) + " alert(s) failed: ";
    for (size_t i = 0; i < failures.size(); ++i) message += (i ? " | " : "") + failures[i];
    if (retryable) throw tg::RetryLater(message);
    throw tg::Drop(message);
}

void RedmineSink::log_delivered(DeliveryLane& lane, const tg::Delivery& delivery,
                                const Alert& alert) {
    // One line per alert for operators: which route, which alert, which Redmine issue.
    const std::string key = ticket_key(alert, config_.key_labels);
    const auto issue = lane.store.issue(key);
    std::string quoted = "\"";
    for (char c : key) {
        if (c == '"' || c == '\\') quoted += '\\';
        quoted += c;
    }
    quoted += '"';
    std::string line = "alert delivered route=" + std::string(delivery.route) + " alert=" + quoted +
                       " status=" + (alert.firing ? "firing" : "resolved") +
                       " issue=" + (issue ? std::to_string(issue->id) : std::string("none"));
    if (issue && issue->parent_id) line += " parent=" + std::to_string(issue->parent_id);
    host_.info(line);
    // The ticket on the host's status page (ABI 1.4), labelled as Redmine lists it.
    if (issue)
        host_.report_link(config_.url + "/issues/" + std::to_string(issue->id),
                          "#" + std::to_string(issue->id) + " " + key);
}

// The hooks run while no delivery does (the host's promise): on the first lane.
void RedmineSink::run_hook(const tg::HookRun& run) {
    DeliveryLane& lane = lanes_.first();
    const TextFormatting::Release release(lane.formats);  // as a delivery's
    StateStore& store = lane.store;
    Executor& executor = lane.executor;
    const bool flap_summary = run.name == "flap_summary" && config_.flap_window.count() > 0;
    const bool root_batches = run.name == "root_batches" && config_.max_children > 0;
    const bool reconcile = run.name == "reconcile" && !config_.alertmanager.urls.empty();
    if (run.name != "carry_over" && !flap_summary && !root_batches && !reconcile)
        tg::Sink::run_hook(run);
    store.ensure_open();  // as before a delivery: a lost PostgreSQL connection is opened again
    if (reconcile) {
        DryRunScope dry_run(run.dry_run, lane.client, store, host_);
        ensure_state(lane);  // its tickets are told from the state, as a delivery's are
        Reconcile{config_, store, executor, alertmanager_, host_}.run(run.dry_run, clock_.now());
        dry_run.end();
        return;
    }
    if (root_batches) {
        DryRunScope dry_run(run.dry_run, lane.client, store, host_);
        const int written = executor.write_batches(clock_.now(), false);
        dry_run.end();
        if (written || run.dry_run)
            host_.info(std::string(run.dry_run ? "dry run: root_batches would write "
                                               : "root_batches: wrote ") +
                       std::to_string(written) + " batch note(s)");
        return;
    }
    if (flap_summary) {
        FlapSummary{config_, store, executor, host_}.run(run.dry_run, clock_.now());
        return;
    }
    CarryOver{config_, lane.client, store, lane.statuses, executor, lane.text, lane.formats, host_}
        .run(run.dry_run, clock_.now());
}

// Each problem is one line naming the setting or permission it concerns (config_check.hpp).
bool RedmineSink::check() {
    DeliveryLane& lane = lanes_.first();  // no delivery runs meanwhile
    bool ok =
        ConfigCheck(config_, lane.client, lane.statuses, lane.fields, lane.formats, host_).run();
    if (!config_.alertmanager.urls.empty()) {  // reconcile's Alertmanager answers, with its list
        const auto answer = alertmanager_.list_alerts();
        for (const auto& failure : answer.failures)
            host_.error("alertmanager_url: reconcile cannot read the alerts of " + failure);
        ok = ok && answer.failures.empty();
        if (answer.failures.empty())
            host_.info("alertmanager_url: " + std::to_string(answer.answered) +
                       " Alertmanager(s) answered, " + std::to_string(answer.alerts.size()) +
                       " alert(s) listed");
    }
    return ok;
}

void RedmineSink::probe() { lanes_.first().client.probe("/users/current.json"); }

}  // namespace tg::redmine
