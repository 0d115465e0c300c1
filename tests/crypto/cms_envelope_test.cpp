// crypto::decrypt_file on envelopes made by the openssl CLI (tests/data/make-smime-fixtures.sh).
#include "crypto/cms_envelope.h"

#include <gtest/gtest.h>

#include <memory>

#include "core/file_io.h"
#include "crypto/openssl_error.h"
#include "crypto/pkcs12_identity.h"
#include "support/openssl_cli.h"
#include "support/run_cli.h"

namespace casecrypt::crypto {
namespace {

using test::fixtures_dir;
using test::quote;

// Mail 20's key transport is damaged (8 base64 characters inside the RSA encryptedKey). OpenSSL's
// defence against Bleichenbacher's attack hid that failure and decrypted with a random content
// key, whose CBC padding is valid about one time in 256: the mail then "decrypted" into garbage
// (seen 20 times in 3000 runs of `mail decrypt`, and as random CI failures). 2000 attempts find
// that with a probability of 1 - (255/256)^2000 > 99.9 %; each must fail.
TEST(CmsEnvelope, ADamagedKeyTransportNeverDecryptsIntoGarbage) {
    ASSERT_TRUE(init_openssl());
    test::TempDir dir;
    const auto der = dir.path() / "20.der";
    test::shell("openssl cms -cmsout -in " +
                quote((fixtures_dir() / "smime/20-corrupt-base64.eml").string()) +
                " -outform DER -out " + quote(der.string()));
    ASSERT_TRUE(std::filesystem::exists(der));
    std::string text = read_file(fixtures_dir() / "server/ok-aes256.pass").value_or("");
    if (!text.empty() && text.back() == '\n')
        text.pop_back();
    auto p12 = read_file(fixtures_dir() / "server/ok-aes256.p12");
    ASSERT_TRUE(p12);
    auto identity = open_pkcs12(*p12, Secret(text), false);
    ASSERT_TRUE(identity) << identity.error().message();
    auto key = std::make_shared<Secret>(std::move(identity->private_key_pkcs8));
    const std::vector<DecryptionIdentity> identities = {
        {identity->certificate, [key]() -> Result<Secret> { return *key; }}};
    const auto out = dir.path() / "out";
    int decrypted = 0;
    for (int i = 0; i < 2000; ++i) {
        auto result = decrypt_file(der, identities, out);
        if (result) {
            ++decrypted;
        } else {
            EXPECT_NE(result.error().message().find("damaged"), std::string::npos)
                << result.error().message();
        }
        EXPECT_FALSE(std::filesystem::exists(out)) << "plaintext left behind";
    }
    EXPECT_EQ(decrypted, 0) << "a damaged envelope decrypted " << decrypted << " times in 2000";
}

// The undamaged counterpart (mail 01) still decrypts: the check above is not "never decrypt".
TEST(CmsEnvelope, AnIntactEnvelopeDecrypts) {
    ASSERT_TRUE(init_openssl());
    test::TempDir dir;
    const auto der = dir.path() / "01.der";
    test::shell("openssl cms -cmsout -in " +
                quote((fixtures_dir() / "smime/01-aes256-cbc.eml").string()) +
                " -outform DER -out " + quote(der.string()));
    std::string text = read_file(fixtures_dir() / "server/ok-aes256.pass").value_or("");
    if (!text.empty() && text.back() == '\n')
        text.pop_back();
    auto identity =
        open_pkcs12(*read_file(fixtures_dir() / "server/ok-aes256.p12"), Secret(text), false);
    ASSERT_TRUE(identity);
    auto key = std::make_shared<Secret>(std::move(identity->private_key_pkcs8));
    const std::vector<DecryptionIdentity> identities = {
        {identity->certificate, [key]() -> Result<Secret> { return *key; }}};
    auto result = decrypt_file(der, identities, dir.path() / "out");
    ASSERT_TRUE(result) << result.error().message();
    EXPECT_NE(read_file(dir.path() / "out").value_or("").find("Secret text 01"), std::string::npos);
}

}  // namespace
}  // namespace casecrypt::crypto
