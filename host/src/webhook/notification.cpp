#include "webhook/notification.hpp"

#include "text/utf8.hpp"
#include "webhook/json_text.hpp"
#include "webhook/notification_reader.hpp"

#include <Poco/JSON/Parser.h>

namespace tg::host {
namespace {

constexpr size_t max_json_depth = 32;  // the webhook is 4 levels deep; deeper is an attack

}  // namespace

Labels Notification::labels(size_t index) const {
    const Alert& alert = alerts_[index];
    const std::string_view text = std::string_view(chunks_[alert.chunk])
                                      .substr(alert.begin + alert.json_size, alert.labels_size);
    Labels result;
    for (size_t at = 0; at < text.size();) {
        const size_t name_end = text.find('\xFF', at);
        const size_t value_end = text.find('\xFF', name_end + 1);
        result.emplace(text.substr(at, name_end - at),
                       text.substr(name_end + 1, value_end - name_end - 1));
        at = value_end + 1;
    }
    return result;
}

std::string_view Notification::alert_json(size_t index) const {
    const Alert& alert = alerts_[index];
    return std::string_view(chunks_[alert.chunk]).substr(alert.begin, alert.json_size);
}

void Notification::add_alert(std::string_view json, const Labels& labels) {
    size_t labels_size = 0;
    for (const auto& [name, value] : labels) labels_size += name.size() + value.size() + 2;
    if (json.size() + labels_size > UINT32_MAX)
        throw WebhookError(413, "an alert of more than 4 GiB");
    const size_t need = json.size() + labels_size;
    if (chunks_.empty() || chunks_.back().capacity() - chunks_.back().size() < need) {
        // 4 KiB for a notification of a few alerts, doubling up to 1 MiB for a large one.
        const size_t size =
            chunks_.empty() ? 4096 : std::min<size_t>(chunks_.back().capacity() * 2, 1 << 20);
        chunks_.emplace_back().reserve(std::max(size, need));
    }
    std::string& chunk = chunks_.back();
    alerts_.push_back({static_cast<uint32_t>(chunks_.size() - 1),
                       static_cast<uint32_t>(chunk.size()), static_cast<uint32_t>(json.size()),
                       static_cast<uint32_t>(labels_size)});
    chunk.append(json);
    for (const auto& [name, value] : labels) {
        chunk += name;
        chunk += '\xFF';
        chunk += value;
        chunk += '\xFF';
    }
}

size_t Notification::bytes() const {
    size_t total = alerts_.size() * sizeof(Alert);
    for (const auto& chunk : chunks_) total += chunk.capacity();
    for (const auto& [key, text] : members_) total += key.capacity() + text.capacity() + 64;
    return total;
}

void Notification::clear_alerts() {
    chunks_.clear();
    alerts_.clear();
}

Notification parse_notification(const std::string& json_text, const ParseLimits& limits) {
    if (const size_t at = common::invalid_utf8_at(json_text); at != std::string_view::npos)
        throw WebhookError(400, "the body is not valid UTF-8 (byte " + std::to_string(at) + ")");
    std::optional<std::string> status;  // known only after a first pass, in a rare body
    for (;;) {
        Poco::SharedPtr<NotificationReader> reader = new NotificationReader(limits, status);
        try {
            Poco::JSON::Parser parser(reader);
            parser.setDepth(max_json_depth);
            parser.parse(json_text);
        } catch (const Poco::Exception& e) {
            throw WebhookError(400, "malformed JSON: " + e.displayText());
        }
        Notification result = reader->finish_document();
        if (!reader->needs_rerun()) return result;
        status = reader->needs_rerun();
    }
}

std::string serialize_subset(const Notification& notification, const std::vector<size_t>& indexes) {
    size_t size = 16 + indexes.size();
    for (size_t index : indexes) size += notification.alert_json(index).size();
    for (const auto& [key, text] : notification.members_) size += key.size() + text.size() + 8;
    std::string out;
    out.reserve(size);  // one allocation: the payload of a large notification is large
    out += '{';
    bool alerts_written = false;
    auto key = [&](std::string_view name) {
        if (out.size() > 1) out += ',';
        append_json_string(out, name);
        out += ':';
    };
    auto alerts = [&] {
        key("alerts");
        out += '[';
        for (size_t k = 0; k < indexes.size(); ++k) {
            if (k) out += ',';
            out.append(notification.alert_json(indexes[k]));
        }
        out += ']';
        alerts_written = true;
    };
    for (const auto& [name, text] : notification.members_) {  // sorted, as Poco's Object is
        if (!alerts_written && std::string_view("alerts") < name) alerts();
        key(name);
        out.append(text);
    }
    if (!alerts_written) alerts();
    out += '}';
    return out;
}

}  // namespace tg::host
