// How the sink tells Redmine's text formatting from a page it renders (text_format.hpp), on
// page fragments of 5.x (/javascripts) and 6.x (Propshaft /assets, <body data-text-formatting>).
#include "text_format.hpp"

#include <catch2/catch.hpp>

using namespace tg::redmine;

TEST_CASE("the text formatting is read from the editor a Redmine page loads", "[text]") {
    CHECK(format_of_page(R"(<script src="/javascripts/jstoolbar/jstoolbar.js?1671034811"></script>
<script src="/javascripts/jstoolbar/textile.js?1671034811"></script>)") == TextFormat::textile);
    CHECK(format_of_page(R"(<script src="/javascripts/jstoolbar/jstoolbar.js?1"></script>
<script src="/javascripts/jstoolbar/common_mark.js?1"></script>)") == TextFormat::common_mark);
    CHECK(format_of_page(R"(<script src="/assets/jstoolbar/jstoolbar-5f2a.js"></script>
<script src="/assets/jstoolbar/common_mark-0c1d2e.js"></script>)") == TextFormat::common_mark);
    CHECK(format_of_page(R"(<script src="/javascripts/jstoolbar/markdown.js?1"></script>)") ==
          TextFormat::common_mark);  // Redcarpet reads CommonMark's tables and emphasis
    CHECK(format_of_page(R"(<body class="controller-issues" data-text-formatting="textile">)") ==
          TextFormat::textile);
    CHECK(format_of_page(R"(<body data-text-formatting="common_mark">)") ==
          TextFormat::common_mark);
    CHECK_FALSE(format_of_page(R"(<body data-text-formatting="">)"));  // none
    CHECK_FALSE(format_of_page(R"(<script src="/javascripts/jstoolbar/jstoolbar.js"></script>
<script src="/javascripts/jstoolbar/lang/jstoolbar-ja.js"></script>)"));
    CHECK_FALSE(format_of_page("<html><body>login</body></html>"));
}
