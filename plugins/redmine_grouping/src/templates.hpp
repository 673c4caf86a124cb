// Operators' Mustache templates (kainjow::mustache, Debian's libkainjow-mustache-dev) for the
// texts a person reads in Redmine. Every template is compiled when the configuration is parsed,
// so a broken one fails `--check-config` instead of the first alert at night.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace tg::redmine {

// The settings under `templates:`.
const std::vector<std::string>& template_names();

// The values a template sees: `name` → text, `name.sub` for objects (labels.severity), and
// lists of {name, value} pairs (labels_list, annotations_list).
struct TemplateValues {
    std::map<std::string, std::string> text;
    std::map<std::string, std::map<std::string, std::string>> objects;
    std::map<std::string, std::vector<std::pair<std::string, std::string>>> pairs;
};

// The names a template may use (TextBuilder::values gives each of them); inside a section of a
// list (labels_list, annotations_list) also `name` and `value`.
const std::vector<std::string>& template_variables();

// Why the template cannot be used: it does not compile, or it names a variable the sink does not
// give (a misspelt name would render empty, silently). nullopt when it is fine.
std::optional<std::string> template_error(const std::string& source);

// `{{x}}` goes through `escape`; `{{{x}}}` is inserted as it is. Throws std::invalid_argument
// when the template does not render (never once template_error() accepted it).
std::string render_template(const std::string& source, const TemplateValues& values,
                            const std::function<std::string(const std::string&)>& escape);

}  // namespace tg::redmine
