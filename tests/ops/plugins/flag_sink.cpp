// A test sink: deliveries fail (retry) while the file named by {"fail_while": "<path>"} exists,
// and succeed otherwise. Each delivery also reports metrics through the host (sink ABI 1.1),
// valid ones and, with {"bad_metrics": true}, invalid ones the host must drop with one warning.
#include <tickets_grouping/sink.hpp>

#include <sys/stat.h>

namespace {

std::string string_member(const std::string& json, const std::string& key) {
    const auto at = json.find("\"" + key + "\"");
    if (at == std::string::npos) return "";
    const auto open = json.find('"', json.find(':', at) + 1);
    const auto close = json.find('"', open + 1);
    return open == std::string::npos || close == std::string::npos
               ? ""
               : json.substr(open + 1, close - open - 1);
}

class FlagSink : public tg::Sink {
  public:
    explicit FlagSink(const tg::SinkContext& context)
        : host_(context.host),
          flag_(string_member(context.config_json, "fail_while")),
          bad_metrics_(context.config_json.find("\"bad_metrics\": true") != std::string::npos ||
                       context.config_json.find("\"bad_metrics\":true") != std::string::npos) {
        if (flag_.empty()) throw std::invalid_argument("flag_sink: config needs fail_while");
    }

    void deliver(const tg::Delivery&) override {
        struct stat st {};
        const bool fail = ::stat(flag_.c_str(), &st) == 0;
        host_.count("flag_deliveries_total", fail ? "result=failed" : "result=ok");
        host_.observe("flag_delivery_seconds", "", fail ? 0.02 : 3);
        if (bad_metrics_)
            for (int i = 0; i < 2; ++i) {  // twice: the host warns once per name
                host_.count("bad-name_total");
                host_.count("reserved_total", "sink=evil");
                host_.count("malformed_total", "a=b=c");
                host_.count("flag_delivery_seconds");  // already a histogram
            }
        if (fail) throw tg::RetryLater("flag_sink: " + flag_ + " exists");
    }

  private:
    tg::HostServices host_;
    std::string flag_;
    bool bad_metrics_;
};

}  // namespace

TG_SINK_PLUGIN(FlagSink, "flag_sink", "1.0.0")
