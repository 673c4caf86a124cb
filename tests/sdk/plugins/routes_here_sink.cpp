// A C++ sink (through the SDK wrapper) that asks the host's routes_here (ABI 1.5) about label sets
// its deliveries carry: each annotation `ask_<id>` of an alert holds one, as "name=value,..." (""
// for no label), and the sink logs "routes_here <instance> <id>: 1" (routed to this instance), ":
// 0" (not), or ": unknown" (an older host, or a refused call). Its constructor logs
// "routes_here_sink <instance> created", so a test sees whether a reload kept the instance.
#include <tickets_grouping/notification.hpp>

#include <map>
#include <optional>
#include <string>

namespace {

std::map<std::string, std::string> parse_labels(const std::string& text) {
    std::map<std::string, std::string> labels;
    size_t start = 0;
    while (start < text.size()) {
        size_t comma = text.find(',', start);
        if (comma == std::string::npos) comma = text.size();
        const std::string pair = text.substr(start, comma - start);
        const size_t eq = pair.find('=');
        if (eq == std::string::npos)
            labels[pair] = "";
        else
            labels[pair.substr(0, eq)] = pair.substr(eq + 1);
        start = comma + 1;
    }
    return labels;
}

class RoutesHereSink : public tg::Sink {
  public:
    explicit RoutesHereSink(const tg::SinkContext& context)
        : host_(context.host), name_(context.instance_name) {
        host_.info("routes_here_sink " + name_ + " created");
    }

    void deliver(const tg::Delivery& delivery) override {
        for (const tg::Alert& alert : tg::parse_notification(delivery).alerts)
            for (const auto& [key, value] : alert.annotations) {
                if (key.rfind("ask_", 0) != 0) continue;
                const std::optional<bool> here = host_.routes_here(parse_labels(value));
                host_.info("routes_here " + name_ + " " + key.substr(4) + ": " +
                           (!here   ? "unknown"
                            : *here ? "1"
                                    : "0"));
            }
    }

  private:
    tg::HostServices host_;
    std::string name_;
};

}  // namespace

TG_SINK_PLUGIN(RoutesHereSink, "routes_here_sink", "0.0.1")
