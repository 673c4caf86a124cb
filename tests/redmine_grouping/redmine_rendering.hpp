// Redmine's own rendering for the tests: its formatters (Redmine::WikiFormatting.to_html in
// rails runner), its global text formatting switched for a while, and a screenshot of an issue
// page as the admin sees it (headless Chromium). The local Redmine of scripts/redmine-local.sh.
#pragma once

#include "redmine_test_support.hpp"  // rails_runner

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace rgtest {

// name → format → the HTML Redmine::WikiFormatting.to_html(format, text) gives.
using Rendered = std::map<std::string, std::map<std::string, std::string>>;
Rendered render(const std::map<std::string, std::string>& texts,
                const std::vector<std::string>& formats);

std::string text_formatting();  // Setting.text_formatting now

// Switches Setting.text_formatting for the object's life and restores the value it found, also
// when the test fails. While switched the value found is kept in saved_file(), so that the CTest
// cleanup fixture (rendering/restore_text_formatting.sh) restores it after a test that died.
class TextFormattingSwitch {
  public:
    explicit TextFormattingSwitch(const std::string& format);
    ~TextFormattingSwitch();
    TextFormattingSwitch(const TextFormattingSwitch&) = delete;
    TextFormattingSwitch& operator=(const TextFormattingSwitch&) = delete;
    static std::filesystem::path saved_file();

  private:
    std::string before_;
};

// Where the rendering tests leave what a person can look at (screenshots).
std::filesystem::path output_dir();

// A PNG of /issues/<id> as the admin sees it, logged in through Redmine's login form; headless
// Chromium (Debian's chromium).
void screenshot_issue(int64_t issue_id, const std::filesystem::path& png);

// The HTML without its tags, entities decoded: the text a person reads.
std::string visible_text(const std::string& html);
// Every href="..." of the HTML's tags.
std::vector<std::string> hrefs(const std::string& html);

}  // namespace rgtest
