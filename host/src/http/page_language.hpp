// The language of a page for people (the status page): Japanese or English, as the browser's
// Accept-Language prefers; English for anything else.
#pragma once

#include <string>

namespace tg::host {

enum class PageLanguage { en, ja };

// "ja,en-US;q=0.9" → ja; "en-GB,ja;q=0.5" → en; "fr" or "" → en. The highest q among ja and en
// wins (a tag's region does not matter), the first of equal ones; q=0 refuses a language.
PageLanguage page_language(const std::string& accept_language);

}  // namespace tg::host
