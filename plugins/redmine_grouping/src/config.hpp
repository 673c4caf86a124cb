// The sink's configuration: the `config:` JSON object, each key falling back to the operators'
// REDMINE_* variables so an existing env file keeps working.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tg::redmine {

// How texts are marked up. `automatic` (the default) writes in the formatting Redmine shows on
// its issue page, and format-neutral text until that is known (text_format.hpp).
enum class TextFormat { automatic, textile, common_mark, neutral };
enum class Language { ja, en };

// Which labels identify a ticket (and its state entry) and which its Root.
struct KeyLabels {
    std::vector<std::string> ticket{"alertname", "instance"};
    std::vector<std::string> root{"alertname"};
    bool operator==(const KeyLabels&) const = default;
};

// A status given by id or by name; names are resolved against Redmine only when first needed.
struct StatusRef {
    int64_t id = 0;
    std::string name;
    bool empty() const { return id == 0 && name.empty(); }
    std::string describe() const;
};

// reconcile: how the sink reads Alertmanager's API (the options of Alertmanager's own
// http_config; secrets only from files, read at each run so that a rotated one is taken).
struct AlertmanagerAccess {
    std::vector<std::string> urls;  // an HA cluster's peers, whose answers are merged
    std::string bearer_token_file;
    std::string basic_username;
    std::string basic_password_file;
    std::string ca_file;
    bool tls_verify = true;
};

struct Config {
    std::string url;  // no trailing slash
    std::string api_key;
    std::string project;
    int64_t tracker_id = 0;  // 0: Redmine's choice (the project's first tracker)
    StatusRef status_done;
    StatusRef status_carryover;
    std::string time_zone;
    std::string carry_over_schedule = "0 9 * * *";
    bool close_on_resolve = false;
    std::chrono::seconds reopen_window{0};
    // Changes of a ticket within this time of the one before are folded into one summary note
    // (the flap_summary hook); 0 = off, every change noted as it comes.
    std::chrono::seconds flap_window{0};
    // Two notifications of one firing alert whose startsAt differ by at most this, with no
    // resolve seen in between, are one episode: HA Alertmanager peers that each stamp their own
    // startsAt on an alert posted without one (0: only an equal startsAt is the same episode).
    std::chrono::seconds episode_tolerance{30};
    // Closed statuses a person sets for "will not fix": such a ticket is never reopened, and a
    // re-fire of its key opens no new ticket while the closure is within reopen_window (ever,
    // with the window 0).
    std::vector<StatusRef> wont_fix_statuses;
    // Tickets per Root: past it a host gets no ticket, and its changes are listed on the Root in
    // one batch note per delivery, at most one a minute (0: no limit).
    int64_t max_children = 0;
    // reconcile: the alerts Alertmanager lists active, held against the tickets; off without a
    // URL. A firing ticket whose alert has not been listed for reconcile_grace is resolved.
    AlertmanagerAccess alertmanager;
    std::string reconcile_schedule = "*/10 * * * *";
    std::chrono::seconds reconcile_grace{1200};  // 2 × the schedule's interval unless given
    std::string ca_file;
    bool tls_verify = true;
    std::chrono::milliseconds timeout{30000};
    double max_requests_per_second = 0;  // to Redmine, every alert and hook together; 0: no limit
    TextFormat text_formatting = TextFormat::automatic;
    Language language = Language::ja;
    std::map<std::string, std::string> templates;  // setting → Mustache source (compiled once)
    KeyLabels key_labels;

    // Fields of new tickets. Ids, or names resolved against Redmine when first needed.
    std::string priority_label = "severity";
    std::map<std::string, std::string> priorities;  // the label's value → priority
    std::string priority;                           // when no value matches
    // The priority follows the highest of the ticket's firing alerts, unless a person set it.
    bool update_priority = false;
    std::string assignee;        // a user or a group
    std::string assignee_label;  // a label naming the assignee wins
    std::vector<std::string> watchers;
    std::string category;
    std::map<int64_t, std::string> custom_fields;  // custom field id → template
    bool is_private = false;
    int64_t alert_key_field = 0;  // a custom field that holds the ticket key (0: none)

    // What the operator should know but that does not stop the sink (logged at start, and so
    // by --check-config): a deprecated value, an API key sent in clear text.
    std::vector<std::string> warnings;
};

using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;

// Every key of the `config:` object, as parse_config accepts them (the README lists each).
const std::vector<std::string>& config_keys();

// Throws std::invalid_argument naming the offending key.
Config parse_config(std::string_view json, const EnvLookup& env);

}  // namespace tg::redmine
