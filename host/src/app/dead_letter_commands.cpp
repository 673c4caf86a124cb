// `tickets-grouping dead-letters list|show|retry|discard`: the dead letters of the configured
// store, read and changed beside a running host (no sink instance is created: a retried delivery
// is taken by the host's worker at its next look, within a second). `retry --dry-run` moves
// nothing: each dead letter is given to its sink as a dry run, in the running host if there is
// one, and what the sink would do is printed.
#include "app/commands.hpp"

#include "app/here_or_through_host.hpp"
#include "app/sink_commands.hpp"
#include "spool/dead_letter_store.hpp"

#include <Poco/DateTimeFormat.h>
#include <Poco/DateTimeFormatter.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Timestamp.h>

#include <algorithm>

#include <iostream>
#include <map>
#include <set>

namespace tg::host {
namespace {

std::string utc(int64_t ms) {
    return Poco::DateTimeFormatter::format(Poco::Timestamp(ms * 1000),
                                           Poco::DateTimeFormat::ISO8601_FORMAT);
}

// The alertnames of the notification, in order, each once ("" when the payload has none).
std::vector<std::string> alertnames(const std::string& payload) {
    std::vector<std::string> names;
    try {
        auto root = Poco::JSON::Parser().parse(payload).extract<Poco::JSON::Object::Ptr>();
        auto alerts = root->getArray("alerts");
        for (size_t i = 0; alerts && i < alerts->size(); ++i) {
            auto labels =
                alerts->getObject(i) ? alerts->getObject(i)->getObject("labels") : nullptr;
            if (!labels || !labels->has("alertname")) continue;
            const auto name = labels->getValue<std::string>("alertname");
            if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
        }
    } catch (const Poco::Exception&) {  // not the notification JSON: no names to show
    }
    return names;
}

std::string joined(const std::vector<std::string>& words) {
    std::string text;
    for (const auto& w : words) text += (text.empty() ? "" : ",") + w;
    return text.empty() ? "-" : text;
}

Poco::JSON::Object::Ptr as_json(const DeadLetter& d, bool with_payload) {
    Poco::JSON::Object::Ptr o = new Poco::JSON::Object;
    o->set("id", d.id);
    o->set("sink", d.sink);
    o->set("route", d.route);
    o->set("accepted_at", utc(d.created_ms));
    o->set("failed_at", utc(d.failed_ms));
    o->set("attempts", d.attempts);
    o->set("reason", d.reason);
    Poco::JSON::Array::Ptr names = new Poco::JSON::Array;
    for (const auto& name : alertnames(d.payload)) names->add(name);
    o->set("alertnames", names);
    o->set("idempotency_key", d.idempotency_key);
    if (with_payload) {  // show: the whole of it, with the history of its attempts
        Poco::JSON::Array::Ptr history = new Poco::JSON::Array;
        for (const auto& a : d.history) {
            Poco::JSON::Object::Ptr attempt = new Poco::JSON::Object;
            attempt->set("attempt", a.number);
            attempt->set("at", utc(a.at_ms));
            attempt->set("error", a.error);
            history->add(attempt);
        }
        o->set("history", history);
        o->set("payload", d.payload);
    }
    return o;
}

int list(DeadLetterStore& store, const Options& options) {
    const auto letters = store.list(options.sink.value_or(""));
    if (options.json) {
        Poco::JSON::Array out;
        for (const auto& d : letters) out.add(as_json(d, false));
        out.stringify(std::cout);
        std::cout << '\n';
        return 0;
    }
    if (letters.empty()) {
        std::cout << "no dead letters" << (options.sink ? " of sink " + *options.sink : "") << '\n';
        return 0;
    }
    // Grouped by reason, the largest group first: one cause (a required field, a deleted
    // project) is usually behind many.
    std::map<std::string, std::vector<const DeadLetter*>> by_reason;
    for (const auto& d : letters) by_reason[d.reason].push_back(&d);
    std::vector<const std::pair<const std::string, std::vector<const DeadLetter*>>*> groups;
    for (const auto& group : by_reason) groups.push_back(&group);
    std::stable_sort(groups.begin(), groups.end(),
                     [](auto* a, auto* b) { return a->second.size() > b->second.size(); });
    for (const auto* group : groups) {
        std::cout << group->second.size() << " × " << group->first << '\n';
        for (const DeadLetter* d : group->second)
            std::cout << "  " << d->id << "  " << d->sink << "  " << utc(d->failed_ms) << "  "
                      << d->attempts << (d->attempts == 1 ? " attempt  " : " attempts  ")
                      << joined(alertnames(d->payload)) << '\n';
    }
    std::cout << letters.size() << " dead letter(s)\n";
    return 0;
}

int show(DeadLetterStore& store, const Options& options) {
    const int64_t id = std::stoll(options.command.at(2));
    const auto d = store.find(id);
    if (!d) {
        std::cerr << "tickets-grouping: no dead letter " << id << '\n';
        return 1;
    }
    if (options.json) {
        as_json(*d, true)->stringify(std::cout);
        std::cout << '\n';
        return 0;
    }
    std::cout << "id: " << d->id << "\nsink: " << d->sink << "\nroute: " << d->route
              << "\naccepted: " << utc(d->created_ms) << "\nfailed: " << utc(d->failed_ms)
              << "\nattempts: " << d->attempts << "\nreason: " << d->reason
              << "\nalertnames: " << joined(alertnames(d->payload))
              << "\nidempotency key: " << d->idempotency_key << '\n';
    if (!d->history.empty()) {
        std::cout << "history (" << d->history.size() << " of " << d->attempts
                  << (d->attempts == 1 ? " attempt" : " attempts") << "):\n";
        for (const auto& a : d->history)
            std::cout << "  " << a.number << "  " << utc(a.at_ms) << "  " << a.error << '\n';
    }
    std::cout << '\n' << d->payload << '\n';
    return 0;
}

DeadLetterSelection selection_of(const Options& options) {
    DeadLetterSelection selection;
    selection.all = options.all;
    selection.sink = options.sink.value_or("");
    for (size_t i = 2; i < options.command.size(); ++i)
        selection.ids.push_back(std::stoll(options.command[i]));
    return selection;
}

// Names each id of the selection that is not among `found`; returns whether there was none.
bool all_found(const DeadLetterSelection& selection, const std::vector<int64_t>& found) {
    bool all = true;
    for (int64_t id : selection.ids)
        if (std::find(found.begin(), found.end(), id) == found.end()) {
            std::cerr << "tickets-grouping: no dead letter " << id
                      << (selection.sink.empty() ? "" : " of sink " + selection.sink) << '\n';
            all = false;
        }
    return all;
}

// What a retry or a discard did: the ids moved, and each id given that was not there.
int report(const DeadLetterSelection& selection, const std::vector<int64_t>& moved,
           const std::string& done) {
    const bool all = all_found(selection, moved);
    std::cout << moved.size() << " dead letter(s) " << done;
    for (int64_t id : moved) std::cout << ' ' << id;
    std::cout << '\n';
    return all ? 0 : 1;
}

// Each dead letter of the selection given to its sink as a dry run; nothing is moved.
int retry_dry_run(DeadLetterStore& store, const Configuration& configuration,
                  const DeadLetterSelection& selection) {
    const auto letters = store.select(selection);
    std::vector<int64_t> found;
    for (const auto& d : letters) found.push_back(d.id);
    int exit_code = all_found(selection, found) ? 0 : 1;
    for (const auto& d : letters) {
        const NewDelivery delivery{d.sink, d.route, d.payload, d.idempotency_key, ""};
        const std::string path = "/-/dry-deliver?sink=" + query_value(d.sink) +
                                 "&route=" + query_value(d.route) +
                                 "&key=" + query_value(d.idempotency_key);
        std::cout << "dead letter " << d.id << " (dry run, nothing moved):\n";
        const CommandOutput output = here_or_through_host(configuration, path, d.payload, [&] {
            return delivery_command(call_on(create_sinks(configuration, d.sink)), delivery, true);
        });
        exit_code = std::max(exit_code, print(output));
    }
    std::cout << letters.size() << " dead letter(s) tried as a dry run, none moved\n";
    return exit_code;
}

int retry(DeadLetterStore& store, const Configuration& configuration, const Options& options) {
    const auto selection = selection_of(options);
    // A delivery for a sink no longer configured would only be dead-lettered again.
    std::set<std::string> configured, unknown;
    for (const auto& sink : configuration.routing->sinks) configured.insert(sink.name);
    for (const auto& d : store.select(selection))
        if (!configured.count(d.sink)) unknown.insert(d.sink);
    if (!unknown.empty()) {
        std::cerr << "tickets-grouping: no sink " << joined({unknown.begin(), unknown.end()})
                  << " in the configuration: nothing retried (discard those with dead-letters "
                     "discard)\n";
        return 1;
    }
    if (options.dry_run) return retry_dry_run(store, configuration, selection);
    return report(selection, store.retry(selection), "back in their sink's queue");
}

int discard(DeadLetterStore& store, const Options& options) {
    const auto selection = selection_of(options);
    return report(selection, store.discard(selection), "discarded");
}

}  // namespace

int dead_letters(const Configuration& configuration, const Options& options) {
    DeadLetterStore store(configuration.store);
    const std::string& verb = options.command.at(1);
    if (verb == "list") return list(store, options);
    if (verb == "show") return show(store, options);
    if (verb == "retry") return retry(store, configuration, options);
    return discard(store, options);
}

}  // namespace tg::host
