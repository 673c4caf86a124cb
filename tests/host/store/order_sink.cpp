// order_sink: a test sink for several replicas sharing one store. Every replica's instance
// appends to the same files, so their lines are in the cluster's order:
//   deliveries: "<instance> <seq> <status> <pid>" per alert (seq: the alert's annotation `seq`);
//               "OVERLAP <pid>" when another process was inside a delivery at the same time
//               (of the same group, with group_labels)
//   ticks:      "<scheduled slot ms> <pid>" per run of the hook `tick` (every minute, UTC)
//   <deliveries>.parallel: "<pid> <in flight>" each time a delivery starts while another of
//               this process is in progress (delivery groups only)
// Config: {"deliveries": PATH, "ticks": PATH, "delay_ms": N, "group_labels": [NAME, ...]}
// With group_labels the sink declares delivery groups (ABI 1.6): the host may then call it from
// several threads, never for one group twice at once; the notes above tell what it did.
#include <tickets_grouping/sink.hpp>

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>
#include <atomic>
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
        if (auto labels = config->getArray("group_labels"))
            for (size_t i = 0; i < labels->size(); ++i)
                group_labels_.push_back(labels->getElement<std::string>(static_cast<unsigned>(i)));
        // The lock file: held during each delivery; another process finding it held means two
        // deliveries of this sink overlapped across replicas.
        lock_fd_ = ::open((deliveries_ + ".lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0640);
        if (lock_fd_ < 0) throw std::invalid_argument("order_sink: cannot open the lock file");
    }
    ~OrderSink() override { ::close(lock_fd_); }

    std::vector<std::string> group_labels() const override { return group_labels_; }

    void deliver(const tg::Delivery& delivery) override {
        const std::string pid = std::to_string(::getpid());
        const int in_flight = ++in_flight_;
        struct Leave {
            std::atomic<int>& count;
            ~Leave() { --count; }
        } leave{in_flight_};
        if (in_flight > 1)
            append(deliveries_ + ".parallel", pid + " " + std::to_string(in_flight) + "\n");
        const int fd = lock_of(delivery.notification_json);
        if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
            append(deliveries_, "OVERLAP " + pid + "\n");
            ::flock(fd, LOCK_EX);
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
            release(fd);
            throw;
        }
        release(fd);
    }

    std::vector<tg::Hook> hooks() const override { return {{"tick", "* * * * *", "UTC"}}; }

    void run_hook(const tg::HookRun& run) override {
        append(ticks_,
               std::to_string(run.scheduled_unix_ms) + " " + std::to_string(::getpid()) + "\n");
    }

  private:
    // The lock of the delivery's group (its first alert's group labels: the host gives a grouped
    // sink one group per delivery), or of the sink when it has no groups. flock locks belong to
    // an open file: a group's file is opened afresh for each delivery, so that a second delivery
    // of the group at once conflicts with the first, in this process or another.
    int lock_of(std::string_view notification_json) {
        if (group_labels_.empty()) return lock_fd_;
        auto notification = Poco::JSON::Parser()
                                .parse(std::string(notification_json))
                                .extract<Poco::JSON::Object::Ptr>();
        std::string group;
        auto alerts = notification->getArray("alerts");
        auto labels =
            alerts && alerts->size() ? alerts->getObject(0)->getObject("labels") : nullptr;
        for (const auto& name : group_labels_)
            group += "." + (labels ? labels->optValue<std::string>(name, "") : std::string());
        const int fd =
            ::open((deliveries_ + ".lock" + group).c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0640);
        if (fd < 0) throw tg::RetryLater("order_sink: cannot open a group's lock");
        return fd;
    }
    void release(int fd) {
        ::flock(fd, LOCK_UN);
        if (fd != lock_fd_) ::close(fd);
    }

    std::string deliveries_, ticks_;
    int delay_ms_ = 0;
    int lock_fd_ = -1;
    std::vector<std::string> group_labels_;
    std::atomic<int> in_flight_{0};
};

}  // namespace

TG_SINK_PLUGIN(OrderSink, "order_sink", "1.0.0")
