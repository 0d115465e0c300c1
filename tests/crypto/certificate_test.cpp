// Certificate facts and the encryption policy, checked against what the openssl CLI says about
// the fixtures of tests/data/make-fixtures.sh.
#include "crypto/certificate.h"

#include <gtest/gtest.h>

#include "core/file_io.h"
#include "core/iso_time.h"
#include "crypto/certificate_file.h"
#include "crypto/certificate_policy.h"
#include "crypto/openssl_error.h"
#include "support/openssl_cli.h"
#include "support/run_cli.h"

namespace casecrypt::crypto {
namespace {

using test::fixtures_dir;
using test::quote;
using test::shell;

Certificate load(const std::string& name) {
    auto bytes = read_file(fixtures_dir() / name);
    EXPECT_TRUE(bytes) << name;
    auto file = read_certificate_file(bytes.value_or(""));
    EXPECT_TRUE(file) << name << ": " << (file ? "" : file.error().message());
    return file->certificates.front();
}

std::string openssl_field(const std::string& name, const std::string& option) {
    std::string out =
        shell("openssl x509 -noout " + option + " -in " + quote((fixtures_dir() / name).string()));
    out = out.substr(out.find('=') + 1);
    out.erase(out.find_last_not_of("\r\n") + 1);
    return out;
}

TEST(Certificate, FactsAgreeWithOpenssl) {
    for (const std::string name :
         {"client/ok-rsa2048-dn-email.pem", "client/ok-ec-p384.pem", "client/ok-dn-and-san.pem"}) {
        SCOPED_TRACE(name);
        const Certificate c = load(name);
        EXPECT_EQ(c.serial(), openssl_field(name, "-serial"));
        std::string fp = openssl_field(name, "-fingerprint -sha256");
        std::erase(fp, ':');
        std::transform(fp.begin(), fp.end(), fp.begin(), ::tolower);
        EXPECT_EQ(c.fingerprint_sha256(), fp);
        const std::string not_after =
            shell("date -u -d " + quote(openssl_field(name, "-enddate")) + " +%Y-%m-%dT%H:%M:%SZ");
        EXPECT_EQ(to_iso8601(c.not_after()) + "\n", not_after);
    }
}

TEST(Certificate, AddressesComeFromTheDnAndSubjectAltNameLowerCased) {
    EXPECT_EQ(load("client/ok-uppercase-address.pem").addresses(),
              std::vector<std::string>{"alice.example@example.test"});
    EXPECT_EQ(load("client/ok-san-only.pem").addresses(),
              std::vector<std::string>{"dave@customer.test"});
    EXPECT_EQ(load("client/ok-dn-and-san.pem").addresses().size(), 2u);
    EXPECT_EQ(load("client/ok-dn-san-same-address.pem").addresses().size(), 1u);
    EXPECT_TRUE(load("client/reject-no-email.pem").addresses().empty());
}

TEST(Certificate, SubjectShowsEmailAddressAsE) {
    const Certificate c = load("client/ok-rsa2048-dn-email.pem");
    EXPECT_NE(c.subject().find("E=alice@example.test"), std::string::npos) << c.subject();
    EXPECT_EQ(c.subject().find("emailAddress"), std::string::npos);
}

TEST(Certificate, KeyDescriptions) {
    EXPECT_EQ(load("client/ok-rsa2048-dn-email.pem").key_description(), "RSA 2048");
    EXPECT_EQ(load("client/ok-rsa4096.pem").key_description(), "RSA 4096");
    EXPECT_EQ(load("client/ok-ec-p256-keyagreement.pem").key_description(), "EC P-256");
    EXPECT_EQ(load("client/ok-ec-p384.pem").key_description(), "EC P-384");
    EXPECT_EQ(load("client/reject-ed25519.pem").key_description(), "Ed25519");
}

TEST(CertificatePolicy, UsableCertificatesHaveNoProblems) {
    for (const std::string name :
         {"client/ok-rsa2048-dn-email.pem", "client/ok-ec-p256-keyagreement.pem",
          "client/ok-rsa-ku-eku-email.pem", "client/ok-rsa-eku-any.pem", "client/ok-ec-p384.pem"}) {
        const auto problems = encryption_problems(load(name));
        EXPECT_TRUE(problems.empty()) << name << ": " << problems.front();
    }
}

TEST(CertificatePolicy, EachReasonIsNamed) {
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"client/reject-no-email.pem", "no email address"},
        {"client/reject-ku-digitalsignature.pem", "keyEncipherment"},
        {"client/reject-ec-ku-keyencipherment.pem", "keyAgreement"},
        {"client/reject-eku-serverauth.pem", "emailProtection"},
        {"client/reject-ed25519.pem", "cannot encrypt"},
        {"client/reject-ed448.pem", "cannot encrypt"},
        {"client/reject-dsa2048.pem", "cannot encrypt"},
        {"client/reject-rsa-pss.pem", "cannot encrypt"},
        {"client/reject-rsa1024.pem", "1024 bits, which is too short"},
    };
    for (const auto& [name, reason] : cases) {
        const auto problems = encryption_problems(load(name));
        ASSERT_EQ(problems.size(), 1u) << name;
        EXPECT_NE(problems.front().find(reason), std::string::npos)
            << name << ": " << problems.front();
    }
}

TEST(CertificatePolicy, ValidityFollowsTheClock) {
    const Certificate c = load("client/reject-expired.pem");
    EXPECT_EQ(validity_at(c, c.not_before() + std::chrono::hours(1)), Validity::valid);
    EXPECT_EQ(validity_at(c, c.not_after() + std::chrono::seconds(1)), Validity::expired);
    EXPECT_EQ(validity_at(c, c.not_before() - std::chrono::seconds(1)), Validity::not_yet_valid);
    EXPECT_NE(validity_sentence(c, Validity::expired).find("expired on 2020-12-31"),
              std::string::npos);
}

TEST(CertificateFile, ReadsBundlesAndRecognisesPkcs12) {
    ASSERT_TRUE(init_openssl());
    auto two = read_certificate_file(*read_file(fixtures_dir() / "client/ok-bundle-two-ee.pem"));
    ASSERT_TRUE(two);
    EXPECT_EQ(two->certificates.size(), 2u);
    auto p12 = read_certificate_file(*read_file(fixtures_dir() / "server/ok-aes256.p12"));
    ASSERT_FALSE(p12);
    EXPECT_NE(p12.error().message().find("is a PKCS #12 file"), std::string::npos);
    auto garbage = read_certificate_file("\x30\x82\xff\xff garbage");
    ASSERT_FALSE(garbage);
    EXPECT_EQ(garbage.error().code(), Errc::rejected);
}

TEST(CertificateFile, ReadsPkcs7CertsOnlyBundlesAsOpensslWritesThem) {
    const auto dir = test::TempDir();
    const std::string p7b = (dir.path() / "bundle.p7b").string();
    shell("openssl crl2pkcs7 -nocrl -certfile " +
          quote((fixtures_dir() / "client/ok-bundle-two-ee.pem").string()) + " -outform DER -out " +
          quote(p7b));
    auto file = read_certificate_file(*read_file(p7b));
    ASSERT_TRUE(file) << file.error().message();
    EXPECT_EQ(file->certificates.size(), 2u);
}

}  // namespace
}  // namespace casecrypt::crypto
