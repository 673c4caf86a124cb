#include "observability/metrics.hpp"

#include <sstream>

namespace tg::host {
namespace {

std::string label_text(const Metrics::LabelSet& labels) {
    if (labels.empty()) return "";
    std::string text = "{";
    for (size_t i = 0; i < labels.size(); ++i) {
        if (i) text += ',';
        text += labels[i].first + "=\"";
        for (char c : labels[i].second) {
            if (c == '\\' || c == '"') text += '\\';
            if (c == '\n') {
                text += "\\n";
                continue;
            }
            text += c;
        }
        text += '"';
    }
    return text + "}";
}

}  // namespace

std::atomic<uint64_t>& Metrics::counter(const std::string& name, const std::string& help,
                                        const LabelSet& labels) {
    std::lock_guard lock(mutex_);
    auto& family = families_[name];
    family.help = help;
    family.type = "counter";
    auto& series = family.series[label_text(labels)];
    if (!series) series = std::make_unique<std::atomic<uint64_t>>(0);
    return *series;
}

void Metrics::gauge(const std::string& name, const std::string& help, std::function<double()> read,
                    const LabelSet& labels) {
    std::lock_guard lock(mutex_);
    auto& family = families_[name];
    family.help = help;
    family.type = "gauge";
    family.read = std::move(read);
    family.read_labels = label_text(labels);
}

std::string Metrics::render() const {
    std::lock_guard lock(mutex_);
    std::ostringstream out;
    for (const auto& [name, family] : families_) {
        out << "# HELP " << name << ' ' << family.help << '\n' << "# TYPE " << name << ' ' << family.type << '\n';
        if (family.read) {
            out << name << family.read_labels << ' ' << family.read() << '\n';
            continue;
        }
        for (const auto& [labels, value] : family.series) out << name << labels << ' ' << value->load() << '\n';
    }
    return out.str();
}

}  // namespace tg::host
