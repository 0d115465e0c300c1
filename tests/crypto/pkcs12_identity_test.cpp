#include "crypto/pkcs12_identity.h"

#include <gtest/gtest.h>

#include "core/file_io.h"
#include "crypto/openssl_error.h"
#include "support/openssl_cli.h"
#include "support/run_cli.h"

namespace casecrypt::crypto {
namespace {

using test::fixtures_dir;

Secret password_of(const std::string& pass_file) {
    std::string text = read_file(fixtures_dir() / pass_file).value_or("");
    if (!text.empty() && text.back() == '\n') text.pop_back();
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
            "openssl pkcs12 -legacy -in " + test::quote((fixtures_dir() / ("server/" + name + ".p12")).string()) +
            " -passin file:" + test::quote((fixtures_dir() / ("server/" + name + ".pass")).string()) +
            " -nocerts -nodes 2>/dev/null | openssl pkey -outform DER | sha256sum | cut -c1-64");
        // Compare by re-encoding our PKCS #8 through openssl, which normalises the encoding.
        test::TempDir dir;
        const auto path = dir.path() / "key.der";
        ASSERT_TRUE(write_file_atomic(path, identity->private_key_pkcs8.reveal(),
                                      std::filesystem::perms::owner_read | std::filesystem::perms::owner_write));
        const std::string reencoded = test::shell("openssl pkey -inform DER -in " + test::quote(path.string()) +
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
    auto identity = open_pkcs12(*read_file(fixtures_dir() / "server/ok-empty-password.p12"), Secret());
    ASSERT_TRUE(identity) << identity.error().message();
}

}  // namespace
}  // namespace casecrypt::crypto
