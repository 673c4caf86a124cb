// Writes a JSON value, given as parse events, in the form Poco::JSON gives it after a parse and
// stringify(): compact, object keys sorted bytewise, the last of duplicate keys kept. It holds no
// tree: an array is written as it comes; an open object keeps its members' text in one buffer
// until it closes, to sort them. So the memory stays about the size of the text, where a Poco
// tree of small values costs ~90 times the body.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace tg::host {

class CanonicalJson {
  public:
    void start_object();
    void start_array();
    void end();                              // of the innermost object or array
    void key(std::string_view decoded);      // in an object, before its value
    void value(std::string_view json_text);  // a scalar already in its JSON form
    // Adds a member to the innermost open object, replacing one of the same key (the status and
    // fingerprint of an alert, normalised).
    void set_member(std::string_view key, std::string_view json_text);

    size_t depth() const { return frames_.size(); }
    bool done() const { return frames_.empty() && has_result_; }
    std::string take();   // the finished value; the writer is ready for the next one
    size_t held() const;  // bytes held by open objects and arrays

  private:
    struct Member {
        size_t key_at, key_size, value_at, value_size;
    };
    struct Frame {
        bool object = false;
        std::string text;  // an array's output; an object's keys and values, back to back
        std::vector<Member> members;
        size_t key_at = 0, key_size = 0;  // the key waiting for its value
        bool empty = true;
    };
    void emit(std::string_view json_text);  // a finished value into its parent
    std::string close_object(Frame& frame) const;

    std::vector<Frame> frames_;
    std::string result_;
    bool has_result_ = false;
};

}  // namespace tg::host
