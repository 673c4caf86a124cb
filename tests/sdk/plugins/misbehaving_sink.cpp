// A C++ sink (through the SDK wrapper) whose deliver always fails. Config {"mode": "..."}:
//   "logic_error"  throws std::logic_error            -> retry, with its message
//   "retry_later"  throws tg::RetryLater               -> retry, with its message
//   "non_std"      throws an int (not a std::exception) -> retry, "unknown exception in sink"
#include <tickets_grouping/sink.hpp>

namespace {

class MisbehavingSink : public tg::Sink {
  public:
    explicit MisbehavingSink(const tg::SinkContext& context) {
        for (const char* mode : {"logic_error", "retry_later", "non_std"})
            if (context.config_json.find(std::string("\"") + mode + "\"") != std::string::npos)
                mode_ = mode;
        if (mode_.empty()) throw std::invalid_argument("misbehaving_sink: config needs a mode");
    }

    void deliver(const tg::Delivery& delivery) override {
        if (mode_ == "logic_error")
            throw std::logic_error("misbehaving_sink: logic_error on attempt " +
                                   std::to_string(delivery.attempt));
        if (mode_ == "retry_later") throw tg::RetryLater("misbehaving_sink: Redmine answered 503");
        throw 42;
    }

  private:
    std::string mode_;
};

}  // namespace

TG_SINK_PLUGIN(MisbehavingSink, "misbehaving_sink", "0.0.1")
