// The status page's language from Accept-Language: ja or en, English otherwise.
#include "http/page_language.hpp"

#include <catch2/catch.hpp>

using tg::host::page_language;
using tg::host::PageLanguage;

TEST_CASE("issue 14: the status page speaks the browser's language, ja or en") {
    CHECK(page_language("ja") == PageLanguage::ja);
    CHECK(page_language("ja-JP,ja;q=0.9,en-US;q=0.8,en;q=0.7") == PageLanguage::ja);
    CHECK(page_language("JA_jp") == PageLanguage::ja);
    CHECK(page_language("en-US,en;q=0.9,ja;q=0.8") == PageLanguage::en);
    CHECK(page_language("fr-FR, ja;q=0.5, en;q=0.4") == PageLanguage::ja);  // the higher q
    CHECK(page_language("en;q=0.5, ja") == PageLanguage::ja);
    CHECK(page_language("ja;q=0.7, en;q=0.7") == PageLanguage::ja);  // the first of equal ones
}

TEST_CASE("issue 14: the status page is English for any other language, none, or a refused ja") {
    CHECK(page_language("") == PageLanguage::en);
    CHECK(page_language("fr-FR,de;q=0.8") == PageLanguage::en);
    CHECK(page_language("ja;q=0") == PageLanguage::en);
    CHECK(page_language("ja;q=banana") == PageLanguage::en);
    CHECK(page_language("*") == PageLanguage::en);
}
