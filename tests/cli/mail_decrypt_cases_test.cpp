// `casecrypt mail decrypt` over every case of tests/data/make-smime-fixtures.sh (messages made
// by openssl cms/smime and gpgsm): the text, cipher, integrity, signature and subject for the
// ones that open, the exit code and the sentence for the ones that must not.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>

#include "support/openssl_cli.h"
#include "support/run_cli.h"
#include "support/smime_cases.h"

namespace casecrypt::test {
namespace {

std::string slurp(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

class DecryptCases : public ::testing::TestWithParam<SmimeCase> {};

TEST_P(DecryptCases, OutcomeIsAsTheCaseSays) {
    const SmimeCase& c = GetParam();
    SCOPED_TRACE(c.file + ": " + c.description);
    TempDir dir;
    const std::string data = (dir.path() / "data").string();
    const auto fx = [](const std::string& p) { return (fixtures_dir() / p).string(); };
    if (c.p12 != "-") {
        std::vector<std::string> args = {"--data-dir", data, "cert", "import-server", fx(c.p12)};
        if (c.password_file != "-") {
            args.insert(args.end(), {"--password-file", fx(c.password_file)});
        }
        const auto imported = run_cli(args);
        ASSERT_EQ(imported.exit_code, 0) << imported.err;
    }
    ASSERT_EQ(run_cli({"--data-dir", data, "cert", "import-ca", fx("ca/ca.pem")}).exit_code, 0);

    const std::string out = (dir.path() / "out.eml").string();
    const auto r = run_cli(
        {"--data-dir", data, "mail", "decrypt", "--in", fx(c.file), "--out", out, "--json"});
    ASSERT_FALSE(r.signaled) << r.err;
    if (c.expect == "reject") {
        EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
        EXPECT_TRUE(r.err.starts_with("error: ")) << r.err;
        EXPECT_NE(r.err.find(c.error), std::string::npos)
            << "expected \"" << c.error << "\": " << r.err;
        EXPECT_FALSE(std::filesystem::exists(out)) << "nothing is written for a rejected message";
        return;
    }
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto report = nlohmann::json::parse(r.out);
    const bool encrypted = c.expect == "decrypt";
    EXPECT_EQ(report["encrypted"], encrypted);
    if (report["mixed_parts"].get<bool>()) {
        // The EFAIL pattern: the secret is found in its own part, never merged with the others.
        bool found = false;
        for (const auto& part : report["parts"]) {
            if (part["text"].is_string() &&
                part["text"].get<std::string>().find(c.text) != std::string::npos) {
                found = true;
                EXPECT_TRUE(part["encrypted"].get<bool>());
                EXPECT_TRUE(part["decrypted"].get<bool>());
            }
        }
        EXPECT_TRUE(found) << r.out;
        EXPECT_TRUE(report["text"].is_null()) << "no merged text";
        return;
    }
    ASSERT_TRUE(report["text"].is_string()) << r.out;
    EXPECT_NE(report["text"].get<std::string>().find(c.text), std::string::npos) << r.out;
    EXPECT_NE(slurp(out).find(c.text), std::string::npos);
    EXPECT_EQ(report["subject"], c.subject);
    if (encrypted) {
        EXPECT_EQ(report["content_cipher"], cipher_name_from_openssl(c.cipher));
        EXPECT_EQ(report["integrity_protected"], c.integrity == "yes");
    }
    if (c.signature == "none") {
        EXPECT_TRUE(report["signature"].is_null()) << r.out;
        return;
    }
    const auto& s = report["signature"];
    ASSERT_TRUE(s.is_object()) << r.out;
    EXPECT_EQ(s["signer"], c.signer);
    EXPECT_EQ(s["valid"], c.signature != "invalid") << r.out;
    if (c.signature == "valid") {
        EXPECT_TRUE(s["trusted"].get<bool>()) << r.out;
        EXPECT_TRUE(s["matches_from"].get<bool>()) << r.out;
    } else if (c.signature == "untrusted") {
        EXPECT_FALSE(s["trusted"].get<bool>()) << r.out;
    } else if (c.signature == "mismatch") {
        EXPECT_TRUE(s["trusted"].get<bool>());
        EXPECT_FALSE(s["matches_from"].get<bool>()) << r.out;
    }
    // The one-line summary on stderr names the signer.
    EXPECT_NE(r.err.find("signed by " + c.signer), std::string::npos) << r.err;
}

std::string case_name(const ::testing::TestParamInfo<SmimeCase>& info) {
    return smime_case_name(static_cast<int>(info.index), info.param);
}

INSTANTIATE_TEST_SUITE_P(Fixtures, DecryptCases,
                         ::testing::ValuesIn(load_smime_cases(fixtures_dir())), case_name);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(DecryptCases);

TEST(DecryptCasesTable, IsThere) {
    const auto cases = load_smime_cases(fixtures_dir());
    ASSERT_GE(cases.size(), 30u) << "smime/cases.tsv missing or short in " << fixtures_dir();
}

TEST(MailDecrypt, NoKeyNamesTheRecipientsAndAllFailuresLookAlike) {
    TempDir dir;
    const std::string data = (dir.path() / "data").string();
    const auto fx = [](const std::string& p) { return (fixtures_dir() / p).string(); };
    ASSERT_EQ(run_cli({"--data-dir", data, "cert", "import-server", fx("server/ok-aes256.p12"),
                       "--password-file", fx("server/ok-aes256.pass")})
                  .exit_code,
              0);
    const auto other = run_cli(
        {"--data-dir", data, "mail", "decrypt", "--in", fx("smime/18-other-recipient-only.eml")});
    EXPECT_NE(other.err.find("issuer"), std::string::npos) << other.err;
    EXPECT_NE(other.err.find("serial"), std::string::npos) << other.err;
    // A corrupt key transport, a bad GCM tag and a destroyed CBC padding read the same.
    std::string first;
    for (const char* file : {"smime/20-corrupt-base64.eml", "smime/21-gcm-tag-mismatch.eml",
                             "smime/28-cbc-padding-flipped.eml"}) {
        const auto r = run_cli({"--data-dir", data, "mail", "decrypt", "--in", fx(file)});
        EXPECT_EQ(r.exit_code, 3) << file;
        if (first.empty())
            first = r.err;
        EXPECT_EQ(r.err, first) << file;
    }
}

TEST(MailDecrypt, MessagesOverTheSizeLimitAreRefusedBeforeAnyWork) {
    TempDir dir;
    const auto fx = [](const std::string& p) { return (fixtures_dir() / p).string(); };
    const auto r = run_cli({"--data-dir", (dir.path() / "data").string(), "mail", "decrypt",
                            "--max-size", "1000", "--in", fx("smime/01-aes256-cbc.eml")});
    EXPECT_EQ(r.exit_code, 3);
    EXPECT_NE(r.err.find("larger than the limit of 1000"), std::string::npos) << r.err;
}

TEST(MailDecrypt, WithAP12InsteadOfTheStore) {
    TempDir dir;
    const auto fx = [](const std::string& p) { return (fixtures_dir() / p).string(); };
    const auto r = run_cli({"--data-dir", (dir.path() / "data").string(), "mail", "decrypt",
                            "--p12", fx("server/ok-aes256.p12"), "--password-file",
                            fx("server/ok-aes256.pass"), "--in", fx("smime/01-aes256-cbc.eml")});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("Secret text 01"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("Subject: Test 01"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace casecrypt::test
