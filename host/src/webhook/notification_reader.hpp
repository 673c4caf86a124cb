// Poco's JSON parser drives this handler, event by event: it checks the webhook's schema where
// the value is, writes each alert in its normalised form, and keeps no tree (see notification.hpp).
#pragma once

#include "webhook/canonical_json.hpp"
#include "webhook/notification.hpp"

#include <Poco/JSON/Handler.h>

#include <optional>
#include <string>
#include <vector>

namespace tg::host {

class NotificationReader : public Poco::JSON::Handler {
  public:
    // `forced_status`: the notification's status, known from a first pass (see needs_rerun()).
    NotificationReader(const ParseLimits& limits, std::optional<std::string> forced_status);

    void reset() override {}
    void startObject() override { begin(true); }
    void startArray() override { begin(false); }
    void endObject() override { finish(); }
    void endArray() override { finish(); }
    void key(const std::string& k) override;
    void null() override { scalar(Kind::null, "null", {}); }
    void value(int v) override { number(v); }
    void value(unsigned v) override { number(v); }
    void value(Poco::Int64 v) override { number(v); }
    void value(Poco::UInt64 v) override { number(v); }
    void value(double v) override { scalar(Kind::other, json_number(v), {}); }
    void value(bool v) override { scalar(Kind::other, v ? "true" : "false", {}); }
    void value(const std::string& v) override;

    // Checks what only the end shows; returns the notification.
    Notification finish_document();
    // An alert took the default status before a top-level "status" said otherwise (it came
    // after the alerts): parse again with it.
    const std::optional<std::string>& needs_rerun() const { return rerun_with_; }

  private:
    enum class Kind { object, array, string, integer, null, other };
    enum class Role { root, alerts, alert, strings, labels, any };
    struct Level {
        Role role;
        bool object;
        std::string key;   // the member being read
        size_t count = 0;  // elements read, in an array
    };
    struct Alert {
        bool has_labels = false;
        std::vector<std::pair<std::string, std::string>> labels;
        std::string status;
        bool has_fingerprint = false;
    };

    template <class T>
    void number(T v) {
        scalar(Kind::integer, json_number(v), {});
    }
    static std::string json_number(const Poco::Dynamic::Var& v);
    void begin(bool object);
    void finish();
    void scalar(Kind kind, const std::string& json_text, std::string_view decoded);
    Role check(Kind kind, std::string_view decoded);  // the role of a container, if one
    void check_top(const std::string& key, Kind kind, std::string_view decoded);
    void check_alert_member(const std::string& key, Kind kind, std::string_view decoded);
    void check_text(std::string_view text, bool name) const;
    void after_value();
    void end_alert();
    void charge(bool now);
    std::string path() const;  // where the value being read is
    [[noreturn]] void refuse(const std::string& problem) const;

    ParseLimits limits_;
    std::optional<std::string> forced_status_;
    std::optional<std::string> rerun_with_;
    std::string top_status_ = "firing";     // the default so far
    std::optional<std::string> defaulted_;  // the default an alert took
    std::vector<Level> levels_;
    CanonicalJson writer_;
    bool capturing_ = false;  // the writer takes the events (a top-level member, an alert)
    bool seen_alerts_ = false;
    Alert alert_;
    Notification result_;
    size_t events_ = 0;
    size_t next_charge_ = 0;
};

}  // namespace tg::host
