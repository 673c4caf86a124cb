// Which labels identify a ticket and a Root (`ticket_key_labels`, `root_key_labels`). The ticket
// key is also the default subject and the state's key; the group is the state's name for a Root.
// With the default labels both are exactly what earlier versions stored, so old state files and
// old tickets keep their meaning.
#pragma once

#include "alert.hpp"
#include "config.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tg::redmine {

// `[Alert] <v1> (<v2>, <v3>)`: empty values are left out; over 255 characters cut with a hash.
std::string ticket_key(const Alert& alert, const KeyLabels& labels);
// `[Root] [Alert] <v1> (<v2>, ...)`: the Root's default subject.
std::string root_key(const Alert& alert, const KeyLabels& labels);
// The group's name in the state: the Root labels' non-empty values joined by U+001F (the
// alertname alone by default, as before).
std::string group_of(const Alert& alert, const KeyLabels& labels);

// What tells the hosts of a group apart: the ticket labels' values beyond the Root's (the
// instance by default), ", "-joined; the ticket key when there are none.
std::string host_of(const Alert& alert, const KeyLabels& labels);

// For rebuilding the state from subjects this sink wrote with the default subject templates.
// nullopt when the subject cannot tell the group (a Root label that the ticket key lacks).
std::optional<std::string> group_of_ticket_subject(std::string_view subject,
                                                   const KeyLabels& labels);
std::string group_of_root_subject(std::string_view subject);

// The Root key of a group (root_key() of any alert in it).
std::string root_key_of_group(std::string_view group);
// The state store's lock (StateStore::lock) that deliveries and carry_over take per Root key,
// so replicas change one group at a time.
std::string group_lock_name(const std::string& root_key);

}  // namespace tg::redmine
