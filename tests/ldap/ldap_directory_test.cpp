// find_certificates against a real slapd (the `slapd` CTest fixture) holding the entries of
// make-ldap-fixtures.sh: what is found, in which order, and that addresses cannot inject filter
// syntax.
#include "ldap/ldap_directory.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <iostream>

#include "ldap/ldap_test_env.h"

namespace casecrypt::ldap {
namespace {

using test::fixture;
using test::read_file;

class LdapDirectoryTest : public ::testing::Test {
protected:
    void SetUp() override {
        const std::string url = test::first_line(test::slapd_dir() / "url");
        ASSERT_FALSE(url.empty()) << "the slapd fixture did not start";
        m_settings = test::settings_for(url);
    }

    // The bytes found for address; fails the test on an error.
    std::vector<std::string> lookup(const std::string& address) {
        auto found = find_certificates(m_settings, address);
        EXPECT_TRUE(found) << address << ": " << found.error().message();
        std::vector<std::string> bytes;
        if (found) {
            for (const auto& v : *found)
                bytes.push_back(v.bytes);
        }
        return bytes;
    }

    LdapSettings m_settings;
};

TEST_F(LdapDirectoryTest, FindsTheDerOfAKnownAddress) {
    auto found = find_certificates(m_settings, "alice@customer.test");
    ASSERT_TRUE(found) << found.error().message();
    ASSERT_EQ(found->size(), 1u);
    EXPECT_EQ(found->front().attribute, "userCertificate;binary");
    EXPECT_EQ(found->front().bytes, read_file(fixture("alice.der")));
}

TEST_F(LdapDirectoryTest, AddressMatchIsCaseInsensitiveAsTheMailSchemaSays) {
    // mail uses caseIgnoreIA5Match (RFC 4524 section 2.16): the server decides, not us.
    EXPECT_EQ(lookup("Alice@Customer.TEST"),
              std::vector<std::string>{read_file(fixture("alice.der"))});
}

TEST_F(LdapDirectoryTest, ExpiredCertificateIsReturnedAsStored) {
    // Validity is the caller's business (it falls back or refuses); the lookup returns bytes.
    EXPECT_EQ(lookup("bob@customer.test"),
              std::vector<std::string>{read_file(fixture("bob-expired.der"))});
}

TEST_F(LdapDirectoryTest, NoEntryGivesAnEmptyVector) {
    EXPECT_TRUE(lookup("nobody@customer.test").empty());
}

TEST_F(LdapDirectoryTest, EntryWithoutCertificateGivesAnEmptyVector) {
    EXPECT_TRUE(lookup("frank@customer.test").empty());
}

TEST_F(LdapDirectoryTest, AttributeListOrderComesFirst) {
    // carol's LDIF lists userCertificate;binary before userSMIMECertificate.
    const std::string der = read_file(fixture("carol.der"));
    const std::string p7c = read_file(fixture("carol.p7c"));
    m_settings.certificate_attributes = {"userSMIMECertificate", "userCertificate;binary"};
    auto found = find_certificates(m_settings, "carol@customer.test");
    ASSERT_TRUE(found) << found.error().message();
    ASSERT_EQ(found->size(), 2u);
    EXPECT_EQ((*found)[0].attribute, "userSMIMECertificate");
    EXPECT_EQ((*found)[0].bytes, p7c);
    EXPECT_EQ((*found)[1].attribute, "userCertificate;binary");
    EXPECT_EQ((*found)[1].bytes, der);

    m_settings.certificate_attributes = {"userCertificate;binary", "userSMIMECertificate"};
    EXPECT_EQ(lookup("carol@customer.test"), (std::vector<std::string>{der, p7c}));
}

TEST_F(LdapDirectoryTest, OnlyTheListedAttributesAreReturned) {
    m_settings.certificate_attributes = {"userSMIMECertificate"};
    EXPECT_EQ(lookup("carol@customer.test"),
              std::vector<std::string>{read_file(fixture("carol.p7c"))});
    EXPECT_TRUE(lookup("alice@customer.test").empty());
}

TEST_F(LdapDirectoryTest, BothCertificatesOfOneEntry) {
    // RFC 4511 section 4.1.7: the order of an attribute's values is not significant.
    auto found = lookup("dave@customer.test");
    std::sort(found.begin(), found.end());
    std::vector<std::string> expected{read_file(fixture("dave-1.der")),
                                      read_file(fixture("dave-2.der"))};
    std::sort(expected.begin(), expected.end());
    EXPECT_EQ(found, expected);
}

TEST_F(LdapDirectoryTest, AttributeNamesMatchWithoutCaseOrBinaryOption) {
    // slapd answers "userCertificate;binary" to each of these requests.
    const std::vector<std::string> alice{read_file(fixture("alice.der"))};
    for (const char* name : {"userCertificate", "USERCERTIFICATE;BINARY", "usercertificate"}) {
        m_settings.certificate_attributes = {name};
        auto found = find_certificates(m_settings, "alice@customer.test");
        ASSERT_TRUE(found) << name << ": " << found.error().message();
        ASSERT_EQ(found->size(), 1u) << name;
        EXPECT_EQ(found->front().attribute, name);
        EXPECT_EQ(found->front().bytes, alice.front());
    }
}

TEST_F(LdapDirectoryTest, SameAttributeListedTwiceCountsOnce) {
    m_settings.certificate_attributes = {"userCertificate;binary", "userCertificate"};
    EXPECT_EQ(lookup("alice@customer.test").size(), 1u);
}

TEST_F(LdapDirectoryTest, FilterSyntaxInTheAddressMatchesNothing) {
    // Eight entries carry a mail attribute; unescaped, each of these would match some of them.
    for (const char* address : {"*", "*)(mail=*", "*@customer.test", "alice@customer.test)(mail=*",
                                "*)(|(objectClass=*", "\\2a"}) {
        EXPECT_TRUE(lookup(address).empty()) << address;
    }
}

TEST_F(LdapDirectoryTest, AddressWithEverySpecialCharacterIsFound) {
    const std::string address = read_file(fixture("special-address.txt"));
    ASSERT_EQ(address, "o'hara+(sales)*\\team@customer.test");
    EXPECT_EQ(lookup(address), std::vector<std::string>{read_file(fixture("ohara.der"))});
}

TEST_F(LdapDirectoryTest, NonAsciiValueMatchesThoughEscaped) {
    // cn is a directoryString: "Jürgen Müller" in UTF-8 goes into the filter as \c3\bc escapes.
    m_settings.search_attribute = "cn";
    EXPECT_EQ(lookup("J\xc3\xbcrgen M\xc3\xbcller"),
              std::vector<std::string>{read_file(fixture("juergen.der"))});
}

TEST_F(LdapDirectoryTest, AnonymousCannotReadTheRestrictedBranch) {
    EXPECT_TRUE(lookup("eve@customer.test").empty());
}

TEST_F(LdapDirectoryTest, BindDnWithTheRightPasswordReadsTheRestrictedBranch) {
    m_settings.bind_dn = test::kReaderDn;
    m_settings.password = Secret(test::kReaderPassword);
    EXPECT_EQ(lookup("eve@customer.test"), std::vector<std::string>{read_file(fixture("eve.der"))});
    EXPECT_EQ(lookup("alice@customer.test").size(), 1u);
}

TEST_F(LdapDirectoryTest, WrongPasswordSaysTheBindFailedWithoutThePassword) {
    m_settings.bind_dn = test::kReaderDn;
    m_settings.password = Secret("not-the-password-4711");
    auto found = find_certificates(m_settings, "alice@customer.test");
    ASSERT_FALSE(found);
    EXPECT_EQ(found.error().code(), Errc::usage);
    const std::string& message = found.error().message();
    EXPECT_NE(message.find("bind"), std::string::npos) << message;
    EXPECT_NE(message.find(test::kReaderDn), std::string::npos) << message;
    EXPECT_NE(message.find("Invalid credentials"), std::string::npos) << message;
    EXPECT_EQ(message.find("4711"), std::string::npos) << message;
    std::cout << "  " << message << "\n";
}

TEST_F(LdapDirectoryTest, BindDnWithoutPasswordIsRefusedBeforeConnecting) {
    // An empty password would be an unauthenticated bind (RFC 4513 section 5.1.2).
    m_settings.bind_dn = test::kReaderDn;
    auto found = find_certificates(m_settings, "alice@customer.test");
    ASSERT_FALSE(found);
    EXPECT_EQ(found.error().code(), Errc::usage);
}

TEST_F(LdapDirectoryTest, MissingBaseDnIsAUsageError) {
    m_settings.base_dn = "ou=nowhere,dc=example,dc=test";
    auto found = find_certificates(m_settings, "alice@customer.test");
    ASSERT_FALSE(found);
    EXPECT_EQ(found.error().code(), Errc::usage);
    EXPECT_NE(found.error().message().find("No such object"), std::string::npos)
        << found.error().message();
}

TEST_F(LdapDirectoryTest, BadSettingsAreUsageErrors) {
    auto expect_usage = [](const LdapSettings& s, const char* what) {
        auto found = find_certificates(s, "alice@customer.test");
        ASSERT_FALSE(found) << what;
        EXPECT_EQ(found.error().code(), Errc::usage) << what << ": " << found.error().message();
    };
    LdapSettings s = m_settings;
    s.search_attribute = "mail=*)(cn";
    expect_usage(s, "search attribute with filter syntax");
    s = m_settings;
    s.certificate_attributes = {};
    expect_usage(s, "no certificate attribute");
    s.certificate_attributes = {"userCertificate binary"};
    expect_usage(s, "certificate attribute with a space");
    s = m_settings;
    s.url = "http://127.0.0.1/";
    expect_usage(s, "http URL");
    s.url = "";
    expect_usage(s, "empty URL");
    s = m_settings;
    s.timeout = std::chrono::seconds(0);
    expect_usage(s, "zero timeout");
}

}  // namespace
}  // namespace casecrypt::ldap
