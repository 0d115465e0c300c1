#include "crypto/pkcs12_identity.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "core/file_io.h"
#include "crypto/openssl_error.h"
#include "support/openssl_cli.h"
#include "support/run_cli.h"

namespace casecrypt::crypto {
namespace {

using test::fixtures_dir;

Secret password_of(const std::string& pass_file) {
    std::string text = read_file(fixtures_dir() / pass_file).value_or("");
    if (!text.empty() && text.back() == '\n')
        text.pop_back();
    return Secret(text);
}

class Pkcs12Identity : public ::testing::Test {
protected:
    void SetUp() override { ASSERT_TRUE(init_openssl()); }
};

TEST_F(Pkcs12Identity, OpensModernAndLegacyFilesAndTheKeyIsTheOneOpensslExtracts) {
    for (const std::string name : {"ok-aes256", "ok-legacy-rc2-3des", "ok-3des", "ok-ec-p256"}) {
        SCOPED_TRACE(name);
        auto identity = open_pkcs12(*read_file(fixtures_dir() / ("server/" + name + ".p12")),
                                    password_of("server/" + name + ".pass"));
        ASSERT_TRUE(identity) << identity.error().message();
        EXPECT_EQ(identity->certificate.addresses(),
                  std::vector<std::string>{"support@example.test"});
        const std::string expected = test::shell(
            "openssl pkcs12 -legacy -in " +
            test::quote((fixtures_dir() / ("server/" + name + ".p12")).string()) +
            " -passin file:" +
            test::quote((fixtures_dir() / ("server/" + name + ".pass")).string()) +
            " -nocerts -nodes 2>/dev/null | openssl pkey -outform DER | sha256sum | cut -c1-64");
        // Compare by re-encoding our PKCS #8 through openssl, which normalises the encoding.
        test::TempDir dir;
        const auto path = dir.path() / "key.der";
        ASSERT_TRUE(write_file_atomic(
            path, identity->private_key_pkcs8.reveal(),
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write));
        const std::string reencoded =
            test::shell("openssl pkey -inform DER -in " + test::quote(path.string()) +
                        " -outform DER | sha256sum | cut -c1-64");
        EXPECT_EQ(reencoded, expected);
    }
}

TEST_F(Pkcs12Identity, KeepsTheChain) {
    auto identity = open_pkcs12(*read_file(fixtures_dir() / "server/ok-with-ca-chain.p12"),
                                password_of("server/ok-with-ca-chain.pass"));
    ASSERT_TRUE(identity) << identity.error().message();
    ASSERT_EQ(identity->chain.size(), 1u);
    EXPECT_TRUE(identity->chain.front().facts().is_ca);
}

TEST_F(Pkcs12Identity, WrongPasswordIsSaidPlainly) {
    auto identity = open_pkcs12(*read_file(fixtures_dir() / "server/ok-aes256.p12"),
                                Secret(std::string("wrong")));
    ASSERT_FALSE(identity);
    EXPECT_EQ(identity.error().code(), Errc::rejected);
    EXPECT_NE(identity.error().message().find("the password is wrong"), std::string::npos);
    auto none = open_pkcs12(*read_file(fixtures_dir() / "server/ok-aes256.p12"), Secret());
    ASSERT_FALSE(none);
    EXPECT_NE(none.error().message().find("no password was given"), std::string::npos);
}

TEST_F(Pkcs12Identity, EmptyPasswordFilesOpenWithoutOne) {
    auto identity =
        open_pkcs12(*read_file(fixtures_dir() / "server/ok-empty-password.p12"), Secret());
    ASSERT_TRUE(identity) << identity.error().message();
}

// Regression (issue 9): a file with two keys imported the first one without a word.
TEST_F(Pkcs12Identity, AFileWithTwoKeysIsRefusedNamingTheCount) {
    auto identity = open_pkcs12(*read_file(fixtures_dir() / "server/reject-two-keys.p12"),
                                password_of("server/reject-two-keys.pass"));
    ASSERT_FALSE(identity);
    EXPECT_EQ(identity.error().code(), Errc::rejected);
    EXPECT_NE(identity.error().message().find("holds 2 private keys"), std::string::npos)
        << identity.error().message();
}

// Regression (issue 9): a file without a MAC was opened as silently as one whose MAC verified,
// while a PBMAC1 file was refused for want of an integrity check. Now: every MAC is verified
// (PBMAC1 too, below) and a file without one opens saying so.
TEST_F(Pkcs12Identity, AFileWithoutAMacOpensAndSaysItsIntegrityIsUnchecked) {
    auto nomac = open_pkcs12(*read_file(fixtures_dir() / "server/ok-nomac.p12"),
                             password_of("server/ok-nomac.pass"));
    ASSERT_TRUE(nomac) << nomac.error().message();
    EXPECT_FALSE(nomac->integrity_checked);
    auto mac = open_pkcs12(*read_file(fixtures_dir() / "server/ok-aes256.p12"),
                           password_of("server/ok-aes256.pass"));
    ASSERT_TRUE(mac) << mac.error().message();
    EXPECT_TRUE(mac->integrity_checked);
}

// OpenSSL 3.0 cannot make or check PBMAC1 (RFC 9579), so the files come from OpenSSL 3.5's own
// test data in the interop corpus.
TEST_F(Pkcs12Identity, APbmac1FileIsVerifiedLikeAClassicMacAndMalformedParametersAreRefused) {
    const std::string corpus = test::env_or_empty("CASECRYPT_CORPUS");
    const auto dir = std::filesystem::path(corpus) / "openssl/test/recipes/80-test_pkcs12_data";
    if (corpus.empty() || !std::filesystem::exists(dir))
        GTEST_SKIP() << "no interop corpus";
    const Secret password(std::string("1234"));
    for (const std::string good :
         {"pbmac1_256_256.good.p12", "pbmac1_512_256.good.p12", "pbmac1_512_512.good.p12",
          "pbmac1_sha1_hmac_and_prf.p12", "pbmac1_256_256.good-shorter-key-len.p12"}) {
        SCOPED_TRACE(good);
        auto identity = open_pkcs12(*read_file(dir / good), password, /*require_address=*/false);
        EXPECT_TRUE(identity) << identity.error().message();
        EXPECT_TRUE(identity && identity->integrity_checked);
        auto wrong = open_pkcs12(*read_file(dir / good), Secret(std::string("12345")), false);
        ASSERT_FALSE(wrong);
        EXPECT_NE(wrong.error().message().find("password is wrong"), std::string::npos)
            << wrong.error().message();
    }
    for (const std::string bad :
         {"bad-iter", "bad-key-len", "bad-len", "bad-salt", "bad-salt-type", "negative-len",
          "no-len", "no-salt", "very-big-len", "zero-len"}) {
        SCOPED_TRACE(bad);
        auto identity =
            open_pkcs12(*read_file(dir / ("pbmac1_256_256." + bad + ".p12")), password, false);
        ASSERT_FALSE(identity);
        EXPECT_EQ(identity.error().code(), Errc::rejected);
    }
}

}  // namespace
}  // namespace casecrypt::crypto
