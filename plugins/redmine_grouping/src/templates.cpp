#include "templates.hpp"

#include <kainjow/mustache.hpp>

#include <algorithm>
#include <stdexcept>

namespace tg::redmine {

namespace mustache = kainjow::mustache;

const std::vector<std::string>& template_names() {
    static const std::vector<std::string> names{
        "subject",     "root_subject",  "description",      "root_description", "recurrence_note",
        "reopen_note", "resolved_note", "root_closed_note", "carry_over_note"};
    return names;
}

const std::vector<std::string>& template_variables() {
    static const std::vector<std::string> names{
        "alertname",     "instance",         "status",        "labels",  "annotations",
        "labels_list",   "annotations_list", "starts_at",     "ends_at", "now",
        "generator_url", "external_url",     "fingerprint",   "key",     "root_key",
        "group_tickets", "issue_id",         "issue_subject", "default", "found_by"};
    return names;
}

namespace {

bool is_list(const std::string& name) {
    return name == "labels_list" || name == "annotations_list";
}

// The tags of a template that compiled, each name checked against template_variables(). Skipped
// for a template that changes its delimiters ({{=<% %>=}}): rare, and then Mustache has checked it.
std::optional<std::string> unknown_variable(const std::string& source) {
    const auto& known = template_variables();
    std::vector<std::string> sections;
    for (size_t at = source.find("{{"); at != std::string::npos; at = source.find("{{", at)) {
        const bool triple = source.compare(at, 3, "{{{") == 0;
        const size_t start = at + (triple ? 3 : 2);
        const size_t end = source.find(triple ? "}}}" : "}}", start);
        if (end == std::string::npos) return std::nullopt;
        std::string tag = source.substr(start, end - start);
        at = end + (triple ? 3 : 2);
        const char kind = tag.empty() ? ' ' : tag[0];
        if (kind == '!') continue;
        if (kind == '=') return std::nullopt;
        if (kind == '>') return "partials ({{>" + tag.substr(1) + "}}) are not supported";
        if (!triple && (kind == '#' || kind == '^' || kind == '/' || kind == '&')) tag.erase(0, 1);
        const auto first = tag.find_first_not_of(" \t");
        const auto last = tag.find_last_not_of(" \t");
        const std::string name =
            first == std::string::npos ? "" : tag.substr(first, last - first + 1);
        if (kind == '/' && !triple) {
            if (!sections.empty()) sections.pop_back();
            continue;
        }
        const std::string head = name.substr(0, name.find('.'));
        bool ok = name == "." || std::find(known.begin(), known.end(), head) != known.end();
        for (const auto& section : sections)
            ok = ok || (is_list(section) && (head == "name" || head == "value"));
        if (!ok) {
            std::string list;
            for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
            return "unknown variable '" + name + "' (known: " + list +
                   "; name and value inside labels_list and annotations_list)";
        }
        if ((kind == '#' || kind == '^') && !triple) sections.push_back(name);
    }
    return std::nullopt;
}

}  // namespace

std::optional<std::string> template_error(const std::string& source) {
    mustache::mustache compiled(source);
    if (!compiled.is_valid()) return compiled.error_message();
    return unknown_variable(source);
}

std::string render_template(const std::string& source, const TemplateValues& values,
                            const std::function<std::string(const std::string&)>& escape) {
    mustache::data root;
    for (const auto& [name, text] : values.text) root.set(name, text);
    for (const auto& [name, fields] : values.objects) {
        mustache::data object;
        for (const auto& [k, v] : fields) object.set(k, v);
        root.set(name, object);
    }
    for (const auto& [name, list] : values.pairs) {
        mustache::data items(mustache::data::type::list);
        for (const auto& [k, v] : list) {
            mustache::data item;
            item.set("name", k);
            item.set("value", v);
            items.push_back(item);
        }
        root.set(name, items);
    }
    mustache::mustache compiled(source);
    compiled.set_custom_escape(escape);
    std::string out = compiled.render(root);
    if (!compiled.is_valid()) throw std::invalid_argument(compiled.error_message());
    return out;
}

}  // namespace tg::redmine
