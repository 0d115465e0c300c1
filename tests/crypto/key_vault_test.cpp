#include "crypto/key_vault.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "support/openssl_cli.h"
#include "support/run_cli.h"

namespace casecrypt::crypto {
namespace {

TEST(KeyVault, SealsAndUnsealsBoundToItsAssociatedData) {
    test::TempDir dir;
    auto vault = KeyVault::open_or_create(dir.path() / "master.key");
    ASSERT_TRUE(vault) << vault.error().message();
    const Secret secret(std::string("private key bytes\0with a zero", 29));
    auto sealed = vault->seal(secret, "fingerprint-a");
    ASSERT_TRUE(sealed);
    EXPECT_EQ(sealed->find("private key"), std::string::npos);
    auto opened = vault->unseal(*sealed, "fingerprint-a");
    ASSERT_TRUE(opened);
    EXPECT_EQ(opened->reveal(), secret.reveal());

    EXPECT_FALSE(vault->unseal(*sealed, "fingerprint-b"));
    std::string tampered = *sealed;
    tampered[20] = static_cast<char>(tampered[20] ^ 1);
    EXPECT_FALSE(vault->unseal(tampered, "fingerprint-a"));
    // Two seals of the same secret differ (fresh nonce).
    EXPECT_NE(*vault->seal(secret, "fingerprint-a"), *sealed);
}

TEST(KeyVault, TheKeyFileIsPrivateAndReusedAndAnotherKeyCannotOpen) {
    test::TempDir dir;
    const auto path = dir.path() / "master.key";
    auto first = KeyVault::open_or_create(path);
    ASSERT_TRUE(first);
    struct stat st {};
    ASSERT_EQ(::stat(path.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    auto sealed = first->seal(Secret(std::string("k")), "a");
    auto second = KeyVault::open_or_create(path);
    ASSERT_TRUE(second);
    EXPECT_TRUE(second->unseal(*sealed, "a"));
    auto other = KeyVault::open_or_create(dir.path() / "other.key");
    ASSERT_TRUE(other);
    auto refused = other->unseal(*sealed, "a");
    ASSERT_FALSE(refused);
    EXPECT_NE(refused.error().message().find("master key"), std::string::npos);
}

TEST(KeyVault, ADamagedKeyFileIsReported) {
    test::TempDir dir;
    const auto path = dir.path() / "master.key";
    {
        FILE* f = std::fopen(path.c_str(), "w");
        std::fputs("not base64 at all\n", f);
        std::fclose(f);
    }
    auto vault = KeyVault::open_or_create(path);
    ASSERT_FALSE(vault);
    EXPECT_NE(vault.error().message().find("damaged"), std::string::npos);
}

}  // namespace
}  // namespace casecrypt::crypto

namespace casecrypt::crypto {
namespace {

TEST(KeyVault, TheCheckValueIsTheKeysOwnAndTellsAnotherKeyApart) {
    test::TempDir dir;
    auto vault = KeyVault::open_or_create(dir.path() / "master.key");
    ASSERT_TRUE(vault);
    auto check = vault->check_value();
    ASSERT_TRUE(check);
    EXPECT_TRUE(check->starts_with("hmac-sha256:")) << *check;
    EXPECT_EQ(*KeyVault::open(dir.path() / "master.key")->check_value(), *check) << "stable";
    EXPECT_TRUE(vault->matches_check_value(*check));
    auto other = KeyVault::open_or_create(dir.path() / "other.key");
    ASSERT_TRUE(other);
    EXPECT_FALSE(other->matches_check_value(*check));
    EXPECT_FALSE(vault->matches_check_value(check->substr(0, check->size() - 1)));
}

TEST(KeyVault, TheCheckValueIsTheDocumentedHmacAsOpensslComputesIt) {
    test::TempDir dir;
    const auto path = dir.path() / "master.key";
    auto vault = KeyVault::open_or_create(path);
    ASSERT_TRUE(vault);
    using test::quote;
    using test::shell;
    const std::string key_hex =
        shell("base64 -d " + quote(path.string()) + " | od -An -tx1 | tr -d ' \\n'");
    const std::string check_key_hex = shell(
        "printf 'casecrypt master key check value key v1\\001' | openssl dgst -sha256 -mac HMAC "
        "-macopt hexkey:" +
        key_hex + " -binary | od -An -tx1 | tr -d ' \\n'");
    const std::string expected = shell(
        "printf 'casecrypt master key check value' | openssl dgst -sha256 -mac HMAC -macopt "
        "hexkey:" +
        check_key_hex + " -binary | base64 -w0");
    EXPECT_EQ(*vault->check_value(), "hmac-sha256:" + expected);
}

TEST(KeyVault, OpenDoesNotMakeAKey) {
    test::TempDir dir;
    EXPECT_FALSE(KeyVault::open(dir.path() / "master.key"));
    EXPECT_FALSE(std::filesystem::exists(dir.path() / "master.key"));
}

}  // namespace
}  // namespace casecrypt::crypto
