// MailCrypto: mail encrypt/decrypt as a service, with certificates and PKCS #12 given as bytes
// (uploads), the certificate checks it owns, and missing files as I/O errors.
#include "services/mail_crypto.h"

#include <gtest/gtest.h>

#include <fstream>

#include "core/file_io.h"
#include "crypto/key_vault.h"
#include "crypto/openssl_error.h"
#include "crypto/pkcs12_identity.h"
#include "services/key_ring.h"
#include "services/properties.h"
#include "store/audit_log.h"
#include "store/certificate_store.h"
#include "store/database.h"
#include "store/property_store.h"
#include "support/run_cli.h"

namespace casecrypt::services {
namespace {

using test::fixtures_dir;

class MailCryptoTest : public ::testing::Test {
protected:
    void SetUp() override {
        ASSERT_TRUE(crypto::init_openssl());
        auto db = store::Database::open((m_dir.path() / "t.db").string());
        ASSERT_TRUE(db) << db.error().message();
        m_db = std::move(*db);
        auto vault = crypto::KeyVault::open_or_create(m_dir.path() / "master.key");
        ASSERT_TRUE(vault);
        m_vault = std::make_unique<crypto::KeyVault>(std::move(*vault));
        m_store = std::make_unique<store::CertificateStore>(*m_db);
        m_property_store = std::make_unique<store::PropertyStore>(*m_db);
        m_audit = std::make_unique<store::AuditLog>(*m_db);
        m_properties = std::make_unique<Properties>(*m_property_store, *m_audit, *m_vault, m_clock);
        ASSERT_TRUE(m_properties->register_all());
        m_keys = std::make_unique<KeyRing>(*m_store, *m_vault);
        std::filesystem::create_directories(m_dir.path() / "work");
        m_crypto =
            std::make_unique<MailCrypto>(*m_keys, *m_properties, m_clock, m_dir.path() / "work");
        std::ofstream(message()) << "From: a@x.test\r\nTo: b@x.test\r\nSubject: upload\r\n\r\n"
                                    "the body\r\n";
        m_p12 = read_file(fixtures_dir() / "server/ok-aes256.p12").value_or("");
        std::string password = read_file(fixtures_dir() / "server/ok-aes256.pass").value_or("");
        if (!password.empty() && password.back() == '\n')
            password.pop_back();
        m_password = Secret(password);
    }
    std::filesystem::path message() const { return m_dir.path() / "m.eml"; }

    test::TempDir m_dir;
    SystemClock m_clock;
    std::unique_ptr<store::Database> m_db;
    std::unique_ptr<crypto::KeyVault> m_vault;
    std::unique_ptr<store::CertificateStore> m_store;
    std::unique_ptr<store::PropertyStore> m_property_store;
    std::unique_ptr<store::AuditLog> m_audit;
    std::unique_ptr<Properties> m_properties;
    std::unique_ptr<KeyRing> m_keys;
    std::unique_ptr<MailCrypto> m_crypto;
    std::string m_p12;
    Secret m_password;
};

TEST_F(MailCryptoTest, EncryptsToCertificateBytesAndDecryptsWithPkcs12Bytes) {
    auto identity = crypto::open_pkcs12(m_p12, m_password);
    ASSERT_TRUE(identity) << identity.error().message();
    EncryptRequest encrypt{.certificate_files = {},
                           .certificates = {{"upload own.der", identity->certificate.der()}},
                           .cipher = ContentCipher::aes256_gcm,
                           .key_transport = std::nullopt,  // the property's default
                           .in = message(),
                           .out = m_dir.path() / "e.eml"};
    ASSERT_TRUE(m_crypto->encrypt(encrypt));

    DecryptRequest decrypt;
    decrypt.pkcs12 = InputBytes{"upload support.p12", m_p12};
    decrypt.password = m_password;
    decrypt.in = m_dir.path() / "e.eml";
    decrypt.out = m_dir.path() / "d.eml";
    auto report = m_crypto->decrypt(decrypt);
    ASSERT_TRUE(report) << report.error().message();
    EXPECT_TRUE(report->encrypted);
    EXPECT_EQ(report->content_cipher, to_string(ContentCipher::aes256_gcm));
    EXPECT_TRUE(report->integrity_protected);
    EXPECT_EQ(report->subject, "upload");

    decrypt.password = Secret("wrong");
    auto wrong = m_crypto->decrypt(decrypt);
    ASSERT_FALSE(wrong);
    EXPECT_EQ(wrong.error().code(), Errc::rejected);
    EXPECT_EQ(wrong.error().message().rfind("upload support.p12: ", 0), 0u);
}

TEST_F(MailCryptoTest, OnlyCaCertificatesLeaveNoUsableRecipient) {
    EncryptRequest encrypt;
    encrypt.certificate_files = {fixtures_dir() / "ca/ca.pem"};
    encrypt.in = message();
    encrypt.out = m_dir.path() / "e.eml";
    auto done = m_crypto->encrypt(encrypt);
    ASSERT_FALSE(done);
    EXPECT_EQ(done.error().code(), Errc::rejected);
    EXPECT_EQ(done.error().message(), "no usable recipient certificate in the files given");
}

TEST_F(MailCryptoTest, MissingFilesAreIoErrors) {
    const auto missing = m_dir.path() / "missing";
    EncryptRequest encrypt;
    encrypt.certificate_files = {missing};
    encrypt.in = message();
    encrypt.out = m_dir.path() / "e.eml";
    auto no_cert = m_crypto->encrypt(encrypt);
    ASSERT_FALSE(no_cert);
    EXPECT_EQ(no_cert.error().code(), Errc::io);

    encrypt.certificate_files = {fixtures_dir() / "client/ok-rsa2048-dn-email.pem"};
    encrypt.in = missing;
    auto no_in = m_crypto->encrypt(encrypt);
    ASSERT_FALSE(no_in);
    EXPECT_EQ(no_in.error().code(), Errc::io);
    EXPECT_EQ(no_in.error().message(),
              "cannot read " + missing.string() + ": No such file or directory");

    DecryptRequest decrypt;
    decrypt.in = missing;
    decrypt.out = m_dir.path() / "d.eml";
    auto no_message = m_crypto->decrypt(decrypt);
    ASSERT_FALSE(no_message);
    EXPECT_EQ(no_message.error().code(), Errc::io);
}

}  // namespace
}  // namespace casecrypt::services
