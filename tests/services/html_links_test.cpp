// services::links_in_html: the targets the page lists under a received mail's sandboxed view.
#include "services/html_links.h"

#include <gtest/gtest.h>

namespace casecrypt::services {
namespace {

TEST(HtmlLinks, EachHrefOfAnAnchorOnceInOrderWithEntitiesDecoded) {
    const std::string html =
        R"(<p>See <a href="https://www.example.org/manual?a=1&amp;b=2">the manual</a>, )"
        R"(<A title="x href=&quot;no&quot;" HREF="https://b.example/">b</A> and )"
        R"(<a href="https://www.example.org/manual?a=1&amp;b=2">again</a>; )"
        R"(<abbr href="https://not.a.link/">no</abbr><a>none</a></p>)";
    EXPECT_EQ(
        links_in_html(html),
        (std::vector<std::string>{"https://www.example.org/manual?a=1&b=2", "https://b.example/"}));
}

TEST(HtmlLinks, ALongHrefIsReadWithoutRecursion) {
    // std::regex overflowed the stack on input of this kind (a recursion per character).
    const std::string target = "https://example.org/" + std::string(2'000'000, 'x');
    const auto links = links_in_html("<a href=\"" + target + "\">x</a>");
    ASSERT_EQ(links.size(), 1u);
    EXPECT_EQ(links[0].size(), target.size());
}

TEST(HtmlLinks, AtMostTheLimitAndNothingFromBrokenTags) {
    std::string html;
    for (int i = 0; i < 500; ++i)
        html += "<a href=\"https://e.example/" + std::to_string(i) + "\">x</a>";
    EXPECT_EQ(links_in_html(html).size(), 200u);
    EXPECT_TRUE(links_in_html("<a href=\"https://unclosed.example/").empty());
    EXPECT_TRUE(links_in_html("<a href=\"https://x.example/\"").empty());
}

}  // namespace
}  // namespace casecrypt::services
