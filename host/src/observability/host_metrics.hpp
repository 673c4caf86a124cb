// Every metric family the host itself exports, declared once: name and help text. The sinks'
// own metrics are named by the sinks (tickets_grouping_sink_<name>, plugins/sink_instance.cpp).
#pragma once

namespace tg::host {

struct MetricFamily {
    const char* name;
    const char* help;
};

namespace metric {

inline constexpr MetricFamily alerts_received_total{"tickets_grouping_alerts_received_total",
                                                    "Alerts in accepted notifications."};
inline constexpr MetricFamily build_info{"tickets_grouping_build_info",
                                         "Build information (always 1)."};
inline constexpr MetricFamily dead_letters{"tickets_grouping_dead_letters",
                                           "Deliveries in the dead letters."};
inline constexpr MetricFamily dead_letters_total{"tickets_grouping_dead_letters_total",
                                                 "Deliveries moved to the dead letters."};
inline constexpr MetricFamily deliveries_total{"tickets_grouping_deliveries_total",
                                               "Delivery attempts by sink and result."};
inline constexpr MetricFamily hook_runs_total{"tickets_grouping_hook_runs_total",
                                              "Scheduled hook runs by sink, hook and result."};
inline constexpr MetricFamily notifications_received_total{
    "tickets_grouping_notifications_received_total", "Webhook notifications accepted."};
inline constexpr MetricFamily queue_dead_letters{
    "tickets_grouping_queue_dead_letters",
    "Deliveries in the dead letters, per sink (dead-letters list shows them)."};
inline constexpr MetricFamily queue_depth{"tickets_grouping_queue_depth",
                                          "Deliveries waiting in the spool, per sink."};
inline constexpr MetricFamily queue_oldest_age_seconds{
    "tickets_grouping_queue_oldest_age_seconds",
    "Age of the oldest delivery waiting, per sink (0: none)."};
inline constexpr MetricFamily reloads_total{"tickets_grouping_reloads_total",
                                            "Configuration reloads by result."};
inline constexpr MetricFamily retries_total{"tickets_grouping_retries_total",
                                            "Deliveries scheduled for another attempt."};
inline constexpr MetricFamily spool_depth{"tickets_grouping_spool_depth",
                                          "Deliveries waiting in the spool."};
inline constexpr MetricFamily spool_oldest_age_seconds{"tickets_grouping_spool_oldest_age_seconds",
                                                       "Age of the oldest delivery waiting."};
inline constexpr MetricFamily webhook_rejected_total{"tickets_grouping_webhook_rejected_total",
                                                     "Webhook requests refused, by reason."};

}  // namespace metric
}  // namespace tg::host
