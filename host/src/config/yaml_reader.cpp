#include "config/yaml_reader.hpp"

#include "system/file_read.hpp"
#include "time/duration.hpp"
#include "time/time_zone.hpp"

#include <yaml-cpp/eventhandler.h>

#include <charconv>
#include <set>
#include <sstream>
#include <stdexcept>

namespace tg::host {

namespace {

// yaml-cpp 0.7 never ends on some malformed documents (one that starts with ',' or has one after
// a top-level sequence, found by fuzz/fuzz_routing): it emits events and allocates nodes until
// memory runs out, which a reload would do in the running router. A first pass counts the
// parser's events and gives up after more than any document of that size can have.
class EventBudget : public YAML::EventHandler {
  public:
    explicit EventBudget(size_t budget) : left_(budget) {}
    void OnDocumentStart(const YAML::Mark&) override { spend(); }
    void OnDocumentEnd() override { spend(); }
    void OnNull(const YAML::Mark&, YAML::anchor_t) override { spend(); }
    void OnAlias(const YAML::Mark&, YAML::anchor_t) override { spend(); }
    void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t,
                  const std::string&) override {
        spend();
    }
    void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                         YAML::EmitterStyle::value) override {
        spend();
    }
    void OnSequenceEnd() override { spend(); }
    void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                    YAML::EmitterStyle::value) override {
        spend();
    }
    void OnMapEnd() override { spend(); }
    struct Exhausted {};

  private:
    void spend() {
        if (left_-- == 0) throw Exhausted{};
    }
    size_t left_;
};

void check_yaml_terminates(const std::string& text, const std::string& file) {
    std::istringstream in(text);
    YAML::Parser parser(in);
    EventBudget budget(4 * text.size() + 64);
    try {
        while (parser.HandleNextDocument(budget)) {
        }
    } catch (const EventBudget::Exhausted&) {
        throw ConfigError(file, 0, "",
                          "YAML syntax error: the parser does not get through this file "
                          "(a ',' outside [ ] or { }?)");
    } catch (const YAML::Exception&) {
        // reported with its line by the real load
    }
}

}  // namespace

std::vector<YAML::Node> YamlReader::documents(const std::string& text) const {
    check_yaml_terminates(text, file_);
    try {
        return YAML::LoadAll(text);
    } catch (const YAML::Exception& e) {
        throw ConfigError(file_, e.mark.line >= 0 ? e.mark.line + 1 : 0, "",
                          "YAML syntax error: " + e.msg);
    }
}

int YamlEntry::line() const {
    const int l = YamlReader::line_of(value);
    // An empty value ("key:") may carry no usable mark: use the key's line.
    return value.IsNull() || l == 0 ? YamlReader::line_of(key_node) : l;
}

int YamlReader::line_of(const YAML::Node& node) {
    const YAML::Mark m = node.Mark();
    return m.line >= 0 ? m.line + 1 : 0;
}

std::string YamlReader::join(const std::vector<std::string>& words) {
    std::string out;
    for (const auto& s : words) out += (out.empty() ? "" : ", ") + s;
    return out;
}

std::string YamlReader::type_name(const YAML::Node& n) {
    switch (n.Type()) {
        case YAML::NodeType::Undefined:
        case YAML::NodeType::Null:
            return "nothing (null)";
        case YAML::NodeType::Scalar:
            return "\"" + n.Scalar() + "\"";
        case YAML::NodeType::Sequence:
            return "a list";
        case YAML::NodeType::Map:
            return "a map";
    }
    return "?";
}

const YamlEntry* YamlReader::find(const std::vector<Entry>& entries, const std::string& key) {
    for (const Entry& x : entries)
        if (x.key == key) return &x;
    return nullptr;
}

void YamlReader::fail_at(int line, const std::string& path, const std::string& problem) const {
    throw ConfigError(file_, line, path, problem);
}

void YamlReader::fail(const Entry& x, const std::string& problem) const {
    fail_at(x.line(), x.path, problem);
}

std::vector<YamlEntry> YamlReader::entries(const YAML::Node& node, const std::string& path,
                                           const std::string& what, int fallback_line,
                                           const std::vector<std::string>& allowed) const {
    std::vector<Entry> out;
    if (node.IsNull()) return out;
    if (!node.IsMap()) {
        const int l = line_of(node);
        fail_at(l ? l : fallback_line, path,
                "expected a map" + (what.empty() ? std::string() : " (" + what + ")") + ", got " +
                    type_name(node));
    }
    std::set<std::string> seen;
    for (const auto& kv : node) {
        if (!kv.first.IsScalar()) fail_at(line_of(kv.first), path, "map keys must be plain names");
        Entry x{kv.first.Scalar(), kv.first, kv.second,
                path.empty() ? kv.first.Scalar() : path + "." + kv.first.Scalar()};
        if (!seen.insert(x.key).second) fail_at(line_of(kv.first), x.path, "duplicate key");
        if (!allowed.empty()) {
            bool ok = false;
            for (const auto& a : allowed) ok = ok || a == x.key;
            if (!ok)
                fail_at(line_of(kv.first), x.path,
                        "unknown key \"" + x.key + "\" (allowed here: " + join(allowed) + ")");
        }
        out.push_back(std::move(x));
    }
    return out;
}

std::string YamlReader::string(const Entry& x) const {
    if (!x.value.IsScalar()) fail(x, "expected a text value, got " + type_name(x.value));
    try {
        return env_.expand(x.value.Scalar());
    } catch (const std::invalid_argument& e) {
        fail(x, e.what());
    }
}

std::string YamlReader::non_empty_string(const Entry& x) const {
    std::string s = string(x);
    if (s.empty()) fail(x, "must not be empty");
    return s;
}

int64_t YamlReader::integer(const Entry& x, int64_t min, int64_t max) const {
    if (!x.value.IsScalar()) fail(x, "expected an integer, got " + type_name(x.value));
    const std::string s = string(x);
    int64_t v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (s.empty() || ec != std::errc() || p != s.data() + s.size())
        fail(x, "expected an integer, got \"" + s + "\"");
    if (v < min || v > max)
        fail(x, std::to_string(v) + " is out of range (" + std::to_string(min) + " to " +
                    std::to_string(max) + ")");
    return v;
}

bool YamlReader::boolean(const Entry& x) const {
    if (!x.value.IsScalar()) fail(x, "expected true or false, got " + type_name(x.value));
    const std::string s = string(x);
    if (s == "true" || s == "True" || s == "TRUE") return true;
    if (s == "false" || s == "False" || s == "FALSE") return false;
    fail(x, "expected true or false, got \"" + s + "\"");
}

std::chrono::milliseconds YamlReader::duration(const Entry& x) const {
    const std::string s = string(x);
    try {
        return common::parse_duration(s);
    } catch (const std::invalid_argument& e) {
        fail(x, e.what());
    }
}

const date::time_zone* YamlReader::zone(const Entry& x, const std::string& name) const {
    try {
        return common::find_time_zone(name);
    } catch (const std::invalid_argument& e) {
        fail(x, e.what());
    }
}

std::string YamlReader::readable_file(const Entry& x) const {
    std::string path = non_empty_string(x);
    const auto file = common::read_whole_file(path);
    if (!file.content) fail(x, "cannot read \"" + path + "\": " + file.error);
    return path;
}

}  // namespace tg::host
