#include "templates.hpp"

#include <kainjow/mustache.hpp>

#include <stdexcept>

namespace tg::redmine {

namespace mustache = kainjow::mustache;

const std::vector<std::string>& template_names() {
    static const std::vector<std::string> names{
        "subject",     "root_subject",  "description",      "root_description", "recurrence_note",
        "reopen_note", "resolved_note", "root_closed_note", "carry_over_note"};
    return names;
}

std::optional<std::string> template_error(const std::string& source) {
    mustache::mustache compiled(source);
    if (!compiled.is_valid()) return compiled.error_message();
    return std::nullopt;
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
