// order_sink: a test sink for several replicas sharing one store. Every replica's instance
// appends to the same files, so their lines are in the cluster's order:
//   deliveries: "<instance> <seq> <status> <pid>" per alert (seq: the alert's annotation `seq`);
//               "OVERLAP <pid>" when another process was inside a delivery at the same time
//   ticks:      "<scheduled slot ms> <pid>" per run of the hook `tick` (every minute, UTC)
// Config: {"deliveries": PATH, "ticks": PATH, "delay_ms": N}
#include <tickets_grouping/sink.hpp>

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <sstream>
#include <thread>

namespace {

void append(const std::string& path, const std::string& text) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
    if (fd < 0)
        throw tg::RetryLater("order_sink: cannot open " + path + ": " + std::strerror(errno));
    const bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
                    ::fsync(fd) == 0;
    ::close(fd);
    if (!ok) throw tg::RetryLater("order_sink: cannot write " + path);
}

class OrderSink : public tg::Sink {
  public:
    explicit OrderSink(const tg::SinkContext& context) {
        auto config =
            Poco::JSON::Parser().parse(context.config_json).extract<Poco::JSON::Object::Ptr>();
        deliveries_ = config->optValue<std::string>("deliveries", "");
        ticks_ = config->optValue<std::string>("ticks", "");
        delay_ms_ = config->optValue<int>("delay_ms", 0);
        if (deliveries_.empty() || ticks_.empty())
            throw std::invalid_argument("order_sink: config needs deliveries and ticks");
        // The lock file: held during each delivery; another process finding it held means two
        // deliveries of this sink overlapped across replicas.
        lock_fd_ = ::open((deliveries_ + ".lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0640);
        if (lock_fd_ < 0) throw std::invalid_argument("order_sink: cannot open the lock file");
    }
    ~OrderSink() override { ::close(lock_fd_); }

    void deliver(const tg::Delivery& delivery) override {
        const std::string pid = std::to_string(::getpid());
        if (::flock(lock_fd_, LOCK_EX | LOCK_NB) != 0) {
            append(deliveries_, "OVERLAP " + pid + "\n");
            ::flock(lock_fd_, LOCK_EX);
        }
        try {
            if (delay_ms_ > 0) std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms_));
            auto notification = Poco::JSON::Parser()
                                    .parse(std::string(delivery.notification_json))
                                    .extract<Poco::JSON::Object::Ptr>();
            auto alerts = notification->getArray("alerts");
            std::ostringstream lines;
            for (size_t i = 0; alerts && i < alerts->size(); ++i) {
                auto alert = alerts->getObject(i);
                auto labels = alert->getObject("labels");
                auto annotations = alert->getObject("annotations");
                lines << (labels ? labels->optValue<std::string>("instance", "-") : "-") << ' '
                      << (annotations ? annotations->optValue<std::string>("seq", "-") : "-") << ' '
                      << alert->optValue<std::string>("status", "-") << ' ' << pid << '\n';
            }
            append(deliveries_, lines.str());
        } catch (...) {
            ::flock(lock_fd_, LOCK_UN);
            throw;
        }
        ::flock(lock_fd_, LOCK_UN);
    }

    std::vector<tg::Hook> hooks() const override { return {{"tick", "* * * * *", "UTC"}}; }

    void run_hook(const tg::HookRun& run) override {
        append(ticks_,
               std::to_string(run.scheduled_unix_ms) + " " + std::to_string(::getpid()) + "\n");
    }

  private:
    std::string deliveries_, ticks_;
    int delay_ms_ = 0;
    int lock_fd_ = -1;
};

}  // namespace

TG_SINK_PLUGIN(OrderSink, "order_sink", "1.0.0")
