// TicketTag: the subject pattern matched against subjects from strangers (issue 9: a 50,000-digit
// subject made std::regex recurse off the stack and killed every fetch round).
#include "services/ticket_tag.h"

#include <gtest/gtest.h>

namespace casecrypt::services {
namespace {

TicketTag compiled(const std::string& pattern) {
    auto tag = TicketTag::compile(pattern);
    EXPECT_TRUE(tag) << tag.error().message();
    return std::move(*tag);
}

TEST(TicketTag, AFiftyThousandDigitSubjectOverflowedTheStack) {
    const auto tag = compiled("Ticket \\((\\d+)\\)");
    EXPECT_EQ(tag.number_in("Ticket (" + std::string(50000, '9') + ")"), std::nullopt)
        << "matched without crashing, and a number that does not fit is no ticket number";
    EXPECT_EQ(tag.number_in("Re: Ticket (42) printer"), 42);
    EXPECT_EQ(tag.number_in("Re: Ticket (9223372036854775807)"), 9223372036854775807LL);
    EXPECT_EQ(tag.number_in("Re: Ticket (9223372036854775808)"), std::nullopt);
    EXPECT_EQ(tag.number_in("no tag"), std::nullopt);
}

TEST(TicketTag, ADotStarPatternOnA200KbSubjectOverflowedTheStack) {
    const auto tag = compiled("\\[Ticket#(\\d+)\\].*");
    EXPECT_EQ(tag.number_in("[Ticket#7] " + std::string(200 * 1024, 'x')), 7);
    EXPECT_EQ(tag.tag(7), "[Ticket#7].*") << "text outside the group must be literal to be written";
}

TEST(TicketTag, TheTagIsWrittenFromThePattern) {
    EXPECT_EQ(compiled("Ticket \\((\\d+)\\)").tag(42), "Ticket (42)");
    EXPECT_EQ(compiled("^\\[#(\\d+)\\]").tag(5), "[#5]");
}

TEST(TicketTag, PatternsRe2CannotRunAreRefusedWithTheReason) {
    auto backreference = TicketTag::compile("(\\d+)-\\1");
    ASSERT_FALSE(backreference);
    EXPECT_EQ(backreference.error().code(), Errc::rejected);
    EXPECT_NE(backreference.error().message().find("is not a regular expression"),
              std::string::npos)
        << backreference.error().message();
    auto no_group = TicketTag::compile("Ticket \\d+");
    ASSERT_FALSE(no_group);
    EXPECT_NE(no_group.error().message().find("has no group"), std::string::npos);
}

}  // namespace
}  // namespace casecrypt::services
