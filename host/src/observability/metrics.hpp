// Prometheus metrics of the host, exposed at /metrics in text format 0.0.4.
#pragma once

#include "observability/host_metrics.hpp"

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace tg::host {

class Metrics {
  public:
    using LabelSet = std::vector<std::pair<std::string, std::string>>;

    // Declares a counter family (once) and returns the series for these labels.
    std::atomic<uint64_t>& counter(const std::string& name, const std::string& help,
                                   const LabelSet& labels = {});
    // A value read at scrape time, outside the lock that counters take: a slow reader (the
    // spool's stats wait for the store) delays only the scrape, never the webhook or the workers.
    void gauge(const std::string& name, const std::string& help, std::function<double()> read,
               const LabelSet& labels = {});
    // A family of gauges read together at scrape time (one per sink, say), the same way.
    using Samples = std::vector<std::pair<LabelSet, double>>;
    void gauges(const std::string& name, const std::string& help, std::function<Samples()> read);

    // Adds `value` to a counter with fractional values (what sinks report). Returns false, and
    // changes nothing, when `name` is already a family of another type.
    bool add(const std::string& name, const std::string& help, const LabelSet& labels,
             double value);
    // Records one observation (seconds) in a histogram with buckets 0.005 ... 10 s; false as above.
    bool observe(const std::string& name, const std::string& help, const LabelSet& labels,
                 double value);
    static const std::vector<double>& histogram_buckets();

    // The same, for a family of host_metrics.hpp.
    std::atomic<uint64_t>& counter(const MetricFamily& family, const LabelSet& labels = {}) {
        return counter(family.name, family.help, labels);
    }
    void gauge(const MetricFamily& family, std::function<double()> read,
               const LabelSet& labels = {}) {
        gauge(family.name, family.help, std::move(read), labels);
    }
    void gauges(const MetricFamily& family, std::function<Samples()> read) {
        gauges(family.name, family.help, std::move(read));
    }

    std::string render() const;

  private:
    struct Family {
        std::string help;
        std::string type;
        std::map<std::string, std::unique_ptr<std::atomic<uint64_t>>> series;  // by label text
        std::shared_ptr<const std::function<Samples()>> read;                  // gauges
        std::map<std::string, double> values;  // add(): by label text
        struct Histogram {
            LabelSet labels;
            std::vector<uint64_t> buckets;  // cumulative at render time; per bucket here
            double sum = 0;
            uint64_t count = 0;
        };
        std::map<std::string, Histogram> histograms;  // observe(): by label text
    };
    mutable std::mutex mutex_;
    std::map<std::string, Family> families_;
};

}  // namespace tg::host
