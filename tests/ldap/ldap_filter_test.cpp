// Filter escaping (RFC 4515) and attribute names (RFC 4512): no server needed.
#include "ldap/ldap_filter.h"

#include <gtest/gtest.h>

#include "ldap/ldap_directory.h"

namespace casecrypt::ldap {
namespace {

// The assertion values of RFC 4515 section 4's examples, escaped as the RFC writes them (the
// RFC's \2A is upper case; escapes are case-insensitive and we write lower case).
TEST(EscapeFilterValue, Rfc4515Examples) {
    EXPECT_EQ(escape_filter_value("Parens R Us (for all your parenthetical needs)"),
              "Parens R Us \\28for all your parenthetical needs\\29");
    EXPECT_EQ(escape_filter_value("*"), "\\2a");
    EXPECT_EQ(escape_filter_value("C:\\MyFile"), "C:\\5cMyFile");
    EXPECT_EQ(escape_filter_value(std::string("\0\0\0\4", 4)), "\\00\\00\\00\\04");
    EXPECT_EQ(escape_filter_value("Lu\xc4\x8di\xc4\x87"), "Lu\\c4\\8di\\c4\\87");  // Lučić
}

TEST(EscapeFilterValue, OrdinaryAddressIsUnchanged) {
    EXPECT_EQ(escape_filter_value("alice.o'hara+tag@customer.test"),
              "alice.o'hara+tag@customer.test");
}

TEST(EscapeFilterValue, InjectionBecomesLiteral) {
    EXPECT_EQ(escape_filter_value("*)(mail=*"), "\\2a\\29\\28mail=\\2a");
    EXPECT_EQ(escape_filter_value("a)(|(objectClass=*)"), "a\\29\\28|\\28objectClass=\\2a\\29");
}

TEST(EscapeFilterValue, InvalidUtf8AndControlsBecomeAscii) {
    EXPECT_EQ(escape_filter_value("\xff\xfe\n\x7f"), "\\ff\\fe\\0a\\7f");
}

TEST(EqualityFilter, EscapesTheValue) {
    auto f = equality_filter("mail", "*)(mail=*");
    ASSERT_TRUE(f) << f.error().message();
    EXPECT_EQ(*f, "(mail=\\2a\\29\\28mail=\\2a)");
}

TEST(EqualityFilter, RefusesAttributeWithFilterSyntaxAndEmptyValue) {
    for (const char* attribute : {"", "mail=*)(cn", "ma il", "1mail", "mail;", "mail)"}) {
        auto f = equality_filter(attribute, "a@b.test");
        ASSERT_FALSE(f) << attribute;
        EXPECT_EQ(f.error().code(), Errc::usage);
    }
    auto f = equality_filter("mail", "");
    ASSERT_FALSE(f);
    EXPECT_EQ(f.error().code(), Errc::usage);
}

TEST(AttributeDescription, Rfc4512Forms) {
    EXPECT_TRUE(is_attribute_description("mail"));
    EXPECT_TRUE(is_attribute_description("userCertificate;binary"));
    EXPECT_TRUE(is_attribute_description("cn;lang-de;x-foo"));
    EXPECT_TRUE(is_attribute_description("2.5.4.36"));
    EXPECT_FALSE(is_attribute_description("2.05.4"));
    EXPECT_FALSE(is_attribute_description("2"));
    EXPECT_FALSE(is_attribute_description("user_certificate"));
}

TEST(AttributeMatchKey, IgnoresCaseAndBinaryOption) {
    EXPECT_EQ(attribute_match_key("userCertificate;binary"), "usercertificate");
    EXPECT_EQ(attribute_match_key("USERCERTIFICATE"), "usercertificate");
    EXPECT_EQ(attribute_match_key("userCertificate;BINARY"), "usercertificate");
    EXPECT_EQ(attribute_match_key("cn;Lang-DE"), "cn;lang-de");
}

}  // namespace
}  // namespace casecrypt::ldap
