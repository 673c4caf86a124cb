#include "observability/metrics.hpp"

#include <charconv>
#include <cmath>
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

// Integers as integers (counters read better), everything else in the shortest exact form.
std::string number(double value) {
    if (std::isnan(value)) return "NaN";
    if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
    if (value == std::trunc(value) && std::fabs(value) < 1e15)
        return std::to_string(static_cast<int64_t>(value));
    char buffer[64];
    const auto end = std::to_chars(buffer, buffer + sizeof buffer, value).ptr;
    return std::string(buffer, end);
}

}  // namespace

const std::vector<double>& Metrics::histogram_buckets() {
    static const std::vector<double> buckets = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                                0.5,   1,    2.5,   5,    10};
    return buckets;
}

bool Metrics::add(const std::string& name, const std::string& help, const LabelSet& labels,
                  double value) {
    std::lock_guard lock(mutex_);
    auto& family = families_[name];
    if (!family.type.empty() && family.type != "counter") return false;
    family.help = help;
    family.type = "counter";
    family.values[label_text(labels)] += value;
    return true;
}

bool Metrics::observe(const std::string& name, const std::string& help, const LabelSet& labels,
                      double value) {
    std::lock_guard lock(mutex_);
    auto& family = families_[name];
    if (!family.type.empty() && family.type != "histogram") return false;
    family.help = help;
    family.type = "histogram";
    auto& series = family.histograms[label_text(labels)];
    if (series.buckets.empty()) {
        series.labels = labels;
        series.buckets.assign(histogram_buckets().size(), 0);
    }
    const auto& bounds = histogram_buckets();
    for (size_t i = 0; i < bounds.size(); ++i)
        if (value <= bounds[i]) {
            ++series.buckets[i];
            break;
        }
    series.sum += value;
    ++series.count;
    return true;
}

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
    gauges(name, help, [read = std::move(read), labels] { return Samples{{labels, read()}}; });
}

void Metrics::gauges(const std::string& name, const std::string& help,
                     std::function<Samples()> read) {
    std::lock_guard lock(mutex_);
    auto& family = families_[name];
    family.help = help;
    family.type = "gauge";
    family.read = std::make_shared<const std::function<Samples()>>(std::move(read));
}

std::string Metrics::render() const {
    // The gauges first, each read without the lock (see gauge()).
    std::vector<std::pair<std::string, std::shared_ptr<const std::function<Samples()>>>> reads;
    {
        std::lock_guard lock(mutex_);
        for (const auto& [name, family] : families_)
            if (family.read) reads.emplace_back(name, family.read);
    }
    std::map<std::string, Samples> samples;
    for (const auto& [name, read] : reads) samples[name] = (*read)();

    std::lock_guard lock(mutex_);
    std::ostringstream out;
    for (const auto& [name, family] : families_) {
        const auto gauge = samples.find(name);
        if (family.read && gauge == samples.end()) continue;  // declared during this scrape
        out << "# HELP " << name << ' ' << family.help << '\n'
            << "# TYPE " << name << ' ' << family.type << '\n';
        if (family.read) {
            for (const auto& [labels, value] : gauge->second)
                out << name << label_text(labels) << ' ' << value << '\n';
            continue;
        }
        for (const auto& [labels, value] : family.series)
            out << name << labels << ' ' << value->load() << '\n';
        for (const auto& [labels, value] : family.values)
            out << name << labels << ' ' << number(value) << '\n';
        for (const auto& [labels, series] : family.histograms) {
            uint64_t cumulative = 0;
            for (size_t i = 0; i < series.buckets.size(); ++i) {
                cumulative += series.buckets[i];
                auto with_le = series.labels;
                with_le.emplace_back("le", number(histogram_buckets()[i]));
                out << name << "_bucket" << label_text(with_le) << ' ' << cumulative << '\n';
            }
            auto with_le = series.labels;
            with_le.emplace_back("le", "+Inf");
            out << name << "_bucket" << label_text(with_le) << ' ' << series.count << '\n';
            out << name << "_sum" << labels << ' ' << number(series.sum) << '\n';
            out << name << "_count" << labels << ' ' << series.count << '\n';
        }
    }
    return out.str();
}

}  // namespace tg::host
