#include "webhook/canonical_json.hpp"

#include "webhook/json_text.hpp"

#include <algorithm>
#include <numeric>

namespace tg::host {

void CanonicalJson::start_object() {
    frames_.emplace_back();
    frames_.back().object = true;
}

void CanonicalJson::start_array() {
    frames_.emplace_back();
    frames_.back().text = "[";
}

void CanonicalJson::key(std::string_view decoded) {
    Frame& frame = frames_.back();
    frame.key_at = frame.text.size();
    frame.key_size = decoded.size();
    frame.text.append(decoded);
}

void CanonicalJson::value(std::string_view json_text) { emit(json_text); }

void CanonicalJson::emit(std::string_view json_text) {
    if (frames_.empty()) {
        result_.assign(json_text);
        has_result_ = true;
        return;
    }
    Frame& frame = frames_.back();
    if (frame.object) {
        const size_t at = frame.text.size();
        frame.text.append(json_text);
        frame.members.push_back({frame.key_at, frame.key_size, at, json_text.size()});
    } else {
        if (!frame.empty) frame.text += ',';
        frame.text.append(json_text);
    }
    frame.empty = false;
}

void CanonicalJson::set_member(std::string_view key, std::string_view json_text) {
    this->key(key);
    emit(json_text);
}

std::string CanonicalJson::close_object(Frame& frame) const {
    const std::string& text = frame.text;
    auto key_of = [&](size_t i) {
        return std::string_view(text).substr(frame.members[i].key_at, frame.members[i].key_size);
    };
    std::vector<size_t> order(frame.members.size());
    std::iota(order.begin(), order.end(), 0);
    // Stable: of equal keys the last written stays last, and is the one kept.
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t a, size_t b) { return key_of(a) < key_of(b); });
    std::string out = "{";
    for (size_t k = 0; k < order.size(); ++k) {
        if (k + 1 < order.size() && key_of(order[k]) == key_of(order[k + 1])) continue;
        const Member& m = frame.members[order[k]];
        if (out.size() > 1) out += ',';
        append_json_string(out, key_of(order[k]));
        out += ':';
        out.append(text, m.value_at, m.value_size);
    }
    out += '}';
    return out;
}

void CanonicalJson::end() {
    std::string finished;
    if (frames_.back().object) {
        finished = close_object(frames_.back());
    } else {
        finished = std::move(frames_.back().text);
        finished += ']';
    }
    frames_.pop_back();
    emit(finished);
}

std::string CanonicalJson::take() {
    has_result_ = false;
    std::string out = std::move(result_);
    result_.clear();
    return out;
}

size_t CanonicalJson::held() const {
    size_t bytes = 0;
    for (const auto& frame : frames_)
        bytes += frame.text.capacity() + frame.members.capacity() * sizeof(Member);
    return bytes;
}

}  // namespace tg::host
