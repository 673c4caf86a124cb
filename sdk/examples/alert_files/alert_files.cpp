// alert_files: each alert as one JSON line (tg::Alert's fields) in <dir>/<alertname>.log. A failed
// write is retried by the host, with backoff; the hook `rotate` renames each .log to .log.1.
//   sinks: {files: {plugin: /path/to/alert_files.so, config: {dir: /var/log/alerts}}}
#include <tickets_grouping/config.hpp>
#include <tickets_grouping/notification.hpp>

#include <filesystem>
#include <fstream>
#include <map>

namespace fs = std::filesystem;

class AlertFiles : public tg::Sink {
  public:
    explicit AlertFiles(const tg::SinkContext& context) : host_(context.host) {
        tg::Config config(context.config_json, "alert_files");
        dir_ = config.string("dir");
        config.reject_unknown_keys();
        if (!fs::is_directory(dir_)) config.fail("dir", "is not a directory: " + dir_.string());
    }

    void deliver(const tg::Delivery& d) override {
        std::map<fs::path, std::string> files;  // the lines of each file, written at once
        for (const tg::Alert& a : tg::parse_notification(d).alerts)
            files[dir_ / file_name(a.label("alertname"))] += nlohmann::json(a).dump() + "\n";
        for (const auto& [path, lines] : files) {
            if (d.dry_run) {
                host_.info("dry run: would append to " + path.string());
            } else if (std::ofstream out(path, std::ios::app); !(out << lines).flush()) {
                throw tg::RetryLater("alert_files: cannot write " + path.string());
            }
        }
    }

    std::vector<tg::Hook> hooks() const override { return {{"rotate", "0 0 * * *", ""}}; }
    void run_hook(const tg::HookRun& run) override {
        if (run.name != "rotate") return tg::Sink::run_hook(run);  // throws tg::Drop
        for (const auto& file : fs::directory_iterator(dir_)) {
            if (file.path().extension() != ".log") continue;
            if (run.dry_run)
                host_.info("dry run: would rotate " + file.path().string());
            else
                fs::rename(file.path(), file.path().string() + ".1");
        }
    }

  private:
    // The alertname as a file name inside dir: '/' and NUL become '_', and a leading '.' gets one.
    static std::string file_name(std::string name) {
        for (char& c : name)
            if (c == '/' || c == '\0') c = '_';
        return (name.empty() || name[0] == '.' ? "_" + name : name) + ".log";
    }

    tg::HostServices host_;
    fs::path dir_;
};

TG_SINK_PLUGIN(AlertFiles, "alert_files", TG_SINK_VERSION)
