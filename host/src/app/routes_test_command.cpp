// routes test: where an alert with these labels would go, and what each sink would do with it
// now, as `amtool config routes test` answers for Alertmanager's routes. The alert is replayed as
// a dry run (here, or in the host running on the state directory): the routes' path and sinks,
// then what each sink says it would do ("create the ticket", "再発 note (#12)"...), with its
// state read and nothing changed. --file checks a batch of cases and exits 1 on a mismatch.
#include "app/commands.hpp"

#include "app/here_or_through_host.hpp"
#include "app/sink_commands.hpp"
#include "config/config_error.hpp"

#include <Poco/JSON/Object.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <map>
#include <set>
#include <sstream>

namespace tg::host {
namespace {

using Labels = std::map<std::string, std::string>;

struct Case {
    Labels labels;
    std::optional<std::set<std::string>> sinks;  // expected, in any order
    std::map<std::string, std::string> says;     // sink -> a text its dry run must print
    int line = 0;
};

// One firing alert with these labels, as the hand-written webhook body operators test with.
std::string body_of(const Labels& labels) {
    Poco::JSON::Object::Ptr label_object = new Poco::JSON::Object;
    for (const auto& [name, value] : labels) label_object->set(name, value);
    Poco::JSON::Object::Ptr alert = new Poco::JSON::Object;
    alert->set("status", "firing");
    alert->set("labels", label_object);
    Poco::JSON::Array::Ptr alerts = new Poco::JSON::Array;
    alerts->add(alert);
    Poco::JSON::Object body;
    body.set("status", "firing");
    body.set("alerts", alerts);
    std::ostringstream text;
    body.stringify(text);
    return text.str();
}

std::string describe(const Labels& labels) {
    std::string text = "{";
    for (const auto& [name, value] : labels)
        text += (text.size() > 1 ? ", " : "") + name + "=\"" + value + "\"";
    return text + "}";
}

CommandOutput dry_run(const Configuration& configuration, const Labels& labels) {
    const std::string body = body_of(labels);
    const std::string source = "routes test " + describe(labels);
    return here_or_through_host(
        configuration, "/-/replay?source=" + query_value(source) + "&dry_run=true", body, [&] {
            return replay_command(call_on(create_sinks(configuration)), *configuration.routing,
                                  body, source, true);
        });
}

// The replay's answer, per sink: "sink NAME (route PATH): RESULT" and what it said, indented.
std::map<std::string, std::string> by_sink(const std::string& out) {
    std::map<std::string, std::string> sections;
    std::istringstream lines(out);
    std::string line, current;
    while (std::getline(lines, line)) {
        if (line.starts_with("sink ")) {
            current = line.substr(5, line.find(' ', 5) - 5);
            sections[current] = line + "\n";
        } else if (!current.empty()) {
            sections[current] += line + "\n";
        }
    }
    return sections;
}

Labels labels_of(const std::vector<std::string>& words) {
    Labels labels;
    for (size_t i = 2; i < words.size(); ++i) {
        const auto eq = words[i].find('=');
        labels[words[i].substr(0, eq)] = words[i].substr(eq + 1);
    }
    return labels;
}

std::vector<Case> read_cases(const std::string& file) {
    YAML::Node root;
    try {
        root = YAML::LoadFile(file);
    } catch (const YAML::BadFile&) {
        throw ConfigError(file, 0, "", "cannot read the file");
    } catch (const YAML::Exception& e) {
        throw ConfigError(file, e.mark.line + 1, "", e.msg);
    }
    const YAML::Node cases = root["cases"];
    if (!cases || !cases.IsSequence() || cases.size() == 0)
        throw ConfigError(file, root.Mark().line + 1, "cases",
                          "a list of cases is required (each: labels, and sinks and/or says)");
    std::vector<Case> result;
    for (size_t i = 0; i < cases.size(); ++i) {
        const YAML::Node node = cases[i];
        const std::string key = "cases[" + std::to_string(i) + "]";
        const int line = node.Mark().line + 1;
        if (!node.IsMap()) throw ConfigError(file, line, key, "a case is a map");
        Case c;
        c.line = line;
        for (const auto& entry : node) {
            const std::string name = entry.first.as<std::string>();
            if (name != "labels" && name != "sinks" && name != "says")
                throw ConfigError(file, entry.first.Mark().line + 1, key + "." + name,
                                  "unknown key (labels, sinks, says)");
        }
        try {
            if (!node["labels"] || !node["labels"].IsMap() || node["labels"].size() == 0)
                throw ConfigError(file, line, key + ".labels", "the alert's labels are required");
            for (const auto& label : node["labels"])
                c.labels[label.first.as<std::string>()] = label.second.as<std::string>();
            if (node["sinks"]) {
                if (!node["sinks"].IsSequence())
                    throw ConfigError(file, node["sinks"].Mark().line + 1, key + ".sinks",
                                      "a list of sink names ([] for none)");
                c.sinks.emplace();
                for (const auto& sink : node["sinks"]) c.sinks->insert(sink.as<std::string>());
            }
            if (node["says"]) {
                if (!node["says"].IsMap())
                    throw ConfigError(file, node["says"].Mark().line + 1, key + ".says",
                                      "a map of sink name to a text its dry run prints");
                for (const auto& said : node["says"])
                    c.says[said.first.as<std::string>()] = said.second.as<std::string>();
            }
        } catch (const YAML::Exception& e) {
            throw ConfigError(file, e.mark.line + 1, key, e.msg);
        }
        if (!c.sinks && c.says.empty())
            throw ConfigError(file, line, key, "nothing to check: give sinks, says or both");
        result.push_back(std::move(c));
    }
    return result;
}

// The mismatches of one case's dry run, "" when it is as expected.
std::string mismatches(const Case& c, const CommandOutput& output) {
    const auto sections = by_sink(output.out);
    std::string problems;
    if (c.sinks) {
        std::set<std::string> got;
        for (const auto& [sink, text] : sections) got.insert(sink);
        if (got != *c.sinks) {
            auto list = [](const std::set<std::string>& names) {
                std::string text;
                for (const auto& n : names) text += (text.empty() ? "" : ", ") + n;
                return "[" + text + "]";
            };
            problems += "    expected sinks " + list(*c.sinks) + ", got " + list(got) + "\n";
        }
    }
    for (const auto& [sink, text] : c.says) {
        const auto found = sections.find(sink);
        if (found == sections.end())
            problems += "    expected " + sink + " to say \"" + text + "\": it got no delivery\n";
        else if (found->second.find(text) == std::string::npos)
            problems += "    expected " + sink + " to say \"" + text + "\"\n";
    }
    return problems;
}

}  // namespace

int routes_test(const Configuration& configuration, const Options& options) {
    if (!options.cases_file) {
        const Labels labels = labels_of(options.command);
        CommandOutput output = dry_run(configuration, labels);
        if (output.out.empty() && output.exit_code == 0)
            output.out = "  no route sends it to a sink\n";
        output.out = "alert " + describe(labels) + "\n" + output.out;
        return print(output);
    }
    const auto cases = read_cases(*options.cases_file);
    size_t failed = 0;
    for (size_t i = 0; i < cases.size(); ++i) {
        const Case& c = cases[i];
        const CommandOutput output = dry_run(configuration, c.labels);
        const std::string problems = mismatches(c, output);
        const std::string where = *options.cases_file + ":" + std::to_string(c.line);
        std::cout << (problems.empty() ? "ok       " : "MISMATCH ") << where << " "
                  << describe(c.labels) << "\n";
        if (problems.empty()) continue;
        ++failed;
        std::cout << problems << "    its dry run:\n";
        std::istringstream lines(output.out + output.err);
        for (std::string line; std::getline(lines, line);) std::cout << "      " << line << "\n";
    }
    std::cout << cases.size() - failed << " of " << cases.size() << " cases as expected\n";
    return failed ? 1 : 0;
}

}  // namespace tg::host
