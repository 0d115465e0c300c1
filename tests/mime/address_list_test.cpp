// Address lists as people type them (issue 9): what RFC 5322 3.4 allows is taken, what it does
// not is refused with a sentence that names the entry, never silently changed.
#include "mime/address_list.h"

#include <gtest/gtest.h>

#include "mime/message_builder.h"

namespace casecrypt::mime {
namespace {

std::vector<Mailbox> ok(std::string_view list) {
    auto parsed = parse_mailboxes(list);
    EXPECT_TRUE(parsed) << list << ": " << (parsed ? "" : parsed.error().message());
    return parsed ? *parsed : std::vector<Mailbox>{};
}

std::string refused(std::string_view list) {
    auto parsed = parse_mailboxes(list);
    EXPECT_FALSE(parsed) << list << " was taken as "
                         << (parsed && !parsed->empty() ? parsed->front().address : "");
    if (parsed)
        return "";
    EXPECT_EQ(parsed.error().code(), Errc::rejected);
    return parsed.error().message();
}

// Regression: the CLI cut "--to" at every comma, so a quoted display name with a comma was
// refused although RFC 5322 3.2.4 allows it.
TEST(AddressList, AQuotedDisplayNameMayHoldACommaRegression) {
    const auto boxes = ok(R"("Cust, Omer" <c@example.com>, b@example.org)");
    ASSERT_EQ(boxes.size(), 2u);
    EXPECT_EQ(boxes[0].name, "Cust, Omer");
    EXPECT_EQ(boxes[0].address, "c@example.com");
    EXPECT_EQ(boxes[1].name, "");
    EXPECT_EQ(boxes[1].address, "b@example.org");
    EXPECT_EQ(*parse_addresses(R"("Cust, Omer" <C@Example.com>)"),
              std::vector<std::string>{"c@example.com"});
}

// Regression: GMime read "a@b@c" as "a@b", and the mail went to a@b.
TEST(AddressList, ASecondAtSignIsRefusedNotCutOffRegression) {
    EXPECT_NE(refused("a@b@c").find("second \"@\""), std::string::npos);
    EXPECT_NE(refused("Name <a@b@c>").find("second \"@\""), std::string::npos);
    EXPECT_NE(refused("x@y, a@b@c").find("\"a@b@c\""), std::string::npos) << "the entry is named";
    EXPECT_FALSE(parse_addresses("a@b@c"));
}

// Regression: a 131 KB local part was accepted.
TEST(AddressList, AbsurdLengthsAreRefusedRegression) {
    const std::string huge(131 * 1024, 'a');
    const auto message = refused(huge + "@example.com");
    EXPECT_NE(message.find("local part is 134144 bytes long (at most 64)"), std::string::npos)
        << message;
    EXPECT_LT(message.size(), 300u) << "the sentence does not repeat 131 KB";
    EXPECT_TRUE(parse_mailboxes(std::string(64, 'a') + "@example.com"));
    EXPECT_FALSE(parse_mailboxes(std::string(65, 'a') + "@example.com"));
    std::string long_domain;
    for (int i = 0; i < 5; ++i)
        long_domain += std::string(60, 'd') + ".";
    EXPECT_NE(refused("a@" + long_domain + "com").find("domain is"), std::string::npos);
    EXPECT_NE(refused("a@" + std::string(64, 'd') + ".com").find("longer than 63"),
              std::string::npos);
    EXPECT_FALSE(parse_mailboxes("\"" + std::string(2000, 'n') + "\" <a@example.com>"));
}

TEST(AddressList, TheFormsPeopleWriteAreTaken) {
    EXPECT_EQ(ok("a@example.com")[0].address, "a@example.com");
    EXPECT_EQ(ok("<a@example.com>")[0].address, "a@example.com");
    EXPECT_EQ(ok("  Alice Example   <a@example.com>  ")[0].name, "Alice Example");
    EXPECT_EQ(ok("J. Doe <j@example.com>")[0].name, "J. Doe");
    EXPECT_EQ(ok("Ren\xC3\xA9 <r@example.com>")[0].name, "Ren\xC3\xA9");
    EXPECT_EQ(ok("\"Quote \\\" inside\" <q@example.com>")[0].name, "Quote \" inside");
    EXPECT_EQ(ok("a@example.com (the support desk)")[0].address, "a@example.com");
    EXPECT_EQ(ok("first.last+tag@sub.example.co.uk")[0].address,
              "first.last+tag@sub.example.co.uk");
    EXPECT_EQ(ok("\"john doe\"@example.com")[0].address, "\"john doe\"@example.com");
    EXPECT_EQ(ok("a@[192.0.2.1]")[0].address, "a@[192.0.2.1]");
    EXPECT_EQ(ok("\xC3\xBC@b\xC3\xBC"
                 "cher.example")[0]
                  .address,
              "\xC3\xBC@b\xC3\xBC"
              "cher.example");
    EXPECT_EQ(ok("a@example.com, , b@example.com,").size(), 2u);
    EXPECT_TRUE(ok("").empty());
}

TEST(AddressList, WhatIsNotAnAddressIsRefusedWithTheReason) {
    EXPECT_NE(refused("alice").find("no \"@\""), std::string::npos);
    EXPECT_NE(refused("@example.com").find("local part is empty"), std::string::npos);
    EXPECT_NE(refused("a@").find("domain is empty"), std::string::npos);
    EXPECT_NE(refused(".a@example.com").find("dot"), std::string::npos);
    EXPECT_NE(refused("a..b@example.com").find("two dots"), std::string::npos);
    EXPECT_NE(refused("a@example..com").find("empty label"), std::string::npos);
    EXPECT_NE(refused("a@-example.com").find("\"-\""), std::string::npos);
    EXPECT_NE(refused("a b@example.com").find("no spaces"), std::string::npos);
    EXPECT_NE(refused("a@exa_mple.com").find("\"_\""), std::string::npos);
    EXPECT_NE(refused("Name a@example.com").find("no spaces"), std::string::npos);
    EXPECT_NE(refused("Name <a@example.com> trailing").find("after \">\""), std::string::npos);
    EXPECT_NE(refused("a@b.example <x@example.com>").find("put the name in quotes"),
              std::string::npos);
    EXPECT_NE(refused("Name <a@example.com").find("not closed"), std::string::npos);
    EXPECT_NE(refused("\"Name <a@example.com>").find("not closed"), std::string::npos);
    EXPECT_NE(refused("a@example.com (open").find("not closed"), std::string::npos);
    EXPECT_NE(refused("a@example.com)").find("without its"), std::string::npos);
    EXPECT_NE(refused("friends: a@example.com, b@example.com;").find("group"), std::string::npos);
    EXPECT_NE(refused("a@example.com\r\nBcc: x@evil.example").find("control character"),
              std::string::npos);
    EXPECT_NE(refused("a\xff@example.com").find("UTF-8"), std::string::npos);
    std::string deep = "a@example.com ";
    for (int i = 0; i < 100; ++i)
        deep += "(";
    EXPECT_NE(refused(deep).find("nests comments"), std::string::npos);
}

TEST(AddressList, ARefusedEntryStopsTheBuildOfTheMessage) {
    NewMessage message;
    message.from = "support@example.com";
    message.to = {"ok@example.com, a@b@c"};
    const auto built = build_message(
        message, std::filesystem::temp_directory_path() / "casecrypt-never-written.eml");
    ASSERT_FALSE(built);
    EXPECT_NE(built.error().message().find("second \"@\""), std::string::npos);
}

}  // namespace
}  // namespace casecrypt::mime
