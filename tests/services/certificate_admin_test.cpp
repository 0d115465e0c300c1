// CertificateAdmin with a controlled clock: validity is judged at "now", rejected imports leave
// the store unchanged, the stored key is sealed and opens with the vault.
#include "services/certificate_admin.h"

#include <gtest/gtest.h>

#include "core/file_io.h"
#include "core/iso_time.h"
#include "crypto/key_vault.h"
#include "crypto/openssl_error.h"
#include "store/audit_log.h"
#include "store/certificate_store.h"
#include "store/database.h"
#include "support/run_cli.h"

namespace casecrypt::services {
namespace {

using test::fixtures_dir;

class CertificateAdminTest : public ::testing::Test {
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
        m_audit = std::make_unique<store::AuditLog>(*m_db);
    }

    CertificateAdmin admin(const Clock& clock) {
        return CertificateAdmin(*m_store, *m_audit, *m_vault, clock);
    }

    test::TempDir m_dir;
    std::unique_ptr<store::Database> m_db;
    std::unique_ptr<crypto::KeyVault> m_vault;
    std::unique_ptr<store::CertificateStore> m_store;
    std::unique_ptr<store::AuditLog> m_audit;
};

TEST_F(CertificateAdminTest, ValidityIsJudgedAtTheClocksNow) {
    const auto file = fixtures_dir() / "client/reject-expired.pem";  // valid 2019-01-01..2020-12-31
    FixedClock in_2020(*from_iso8601("2020-06-01T00:00:00Z"));
    auto report = admin(in_2020).import_client(file, "test");
    ASSERT_TRUE(report) << report.error().message();
    EXPECT_EQ(report->items.at(0).outcome, ImportOutcome::imported);

    ASSERT_TRUE(m_store->remove(report->items.at(0).certificate.id));
    FixedClock in_2018(*from_iso8601("2018-06-01T00:00:00Z"));
    auto early = admin(in_2018).import_client(file, "test");
    ASSERT_FALSE(early);
    EXPECT_NE(early.error().message().find("not valid before 2019-01-01"), std::string::npos)
        << early.error().message();
    EXPECT_EQ(*m_store->count(), 0);
}

TEST_F(CertificateAdminTest, ARejectedBundleImportsNothingAndAMixedOneReportsEach) {
    SystemClock clock;
    auto mixed =
        admin(clock).import_client(fixtures_dir() / "client/ok-bundle-ee-plus-ca.pem", "test");
    ASSERT_TRUE(mixed) << mixed.error().message();
    ASSERT_EQ(mixed->items.size(), 2u);
    int imported = 0, skipped = 0;
    for (const auto& item : mixed->items) {
        imported += item.outcome == ImportOutcome::imported;
        skipped += item.outcome == ImportOutcome::skipped;
    }
    EXPECT_EQ(imported, 1);
    EXPECT_EQ(skipped, 1);
    EXPECT_EQ(*m_store->count(), 1);
}

TEST_F(CertificateAdminTest, TheStoredKeyIsSealedToItsCertificate) {
    SystemClock clock;
    std::string password = read_file(fixtures_dir() / "server/ok-aes256.pass").value_or("");
    if (!password.empty() && password.back() == '\n')
        password.pop_back();
    auto report = admin(clock).import_server(fixtures_dir() / "server/ok-aes256.p12",
                                             Secret(password), "test");
    ASSERT_TRUE(report) << report.error().message();
    const auto& record = report->items.at(0).certificate;
    auto sealed = m_store->sealed_private_key(record.id);
    ASSERT_TRUE(sealed && *sealed);
    EXPECT_TRUE(m_vault->unseal(**sealed, record.fingerprint_sha256));
    EXPECT_FALSE(m_vault->unseal(**sealed, "another certificate"));
    auto audit = m_audit->recent(5);
    ASSERT_TRUE(audit);
    ASSERT_FALSE(audit->empty());
    EXPECT_EQ(audit->front().action, "certificate.import_server");
    EXPECT_EQ(audit->front().actor, "test");
}

// Uploads come as bytes: each import takes them as well as a path, with a label for sentences.
TEST_F(CertificateAdminTest, ImportsTakeBytesAsWellAsPaths) {
    SystemClock clock;
    auto a = admin(clock);
    const auto client = read_file(fixtures_dir() / "client/ok-rsa2048-dn-email.pem");
    ASSERT_TRUE(client);
    auto imported = a.import_client_bytes(*client, "upload customer.pem", "test");
    ASSERT_TRUE(imported) << imported.error().message();
    EXPECT_EQ(imported->items.at(0).outcome, ImportOutcome::imported);
    EXPECT_EQ(imported->items.at(0).certificate.kind, CertificateKind::client);

    std::string password = read_file(fixtures_dir() / "server/ok-aes256.pass").value_or("");
    if (!password.empty() && password.back() == '\n')
        password.pop_back();
    const auto p12 = read_file(fixtures_dir() / "server/ok-aes256.p12");
    ASSERT_TRUE(p12);
    auto server = a.import_server_bytes(*p12, "upload support.p12", Secret(password), "test");
    ASSERT_TRUE(server) << server.error().message();
    EXPECT_TRUE(server->items.at(0).certificate.has_private_key);
    auto wrong = a.import_server_bytes(*p12, "upload support.p12", Secret("nope"), "test");
    ASSERT_FALSE(wrong);
    EXPECT_EQ(wrong.error().code(), Errc::rejected);
    EXPECT_EQ(wrong.error().message().rfind("upload support.p12: ", 0), 0u)
        << wrong.error().message();

    const auto ca = read_file(fixtures_dir() / "ca/ca.pem");
    ASSERT_TRUE(ca);
    auto anchor = a.import_ca_bytes(*ca, "upload ca.pem", "test");
    ASSERT_TRUE(anchor) << anchor.error().message();
    EXPECT_EQ(anchor->items.at(0).certificate.kind, CertificateKind::ca);

    auto listed = a.list();
    ASSERT_TRUE(listed);
    ASSERT_EQ(listed->size(), 3u);
    auto cas = a.list(CertificateKind::ca);
    ASSERT_TRUE(cas);
    ASSERT_EQ(cas->size(), 1u);
    EXPECT_EQ(cas->at(0).id, anchor->items.at(0).certificate.id);
}

TEST_F(CertificateAdminTest, AMissingFileIsAnIoError) {
    SystemClock clock;
    auto a = admin(clock);
    const auto missing = m_dir.path() / "missing.pem";
    for (const auto& result : {a.import_client(missing, "test"), a.import_ca(missing, "test"),
                               a.import_server(missing, Secret(""), "test")}) {
        ASSERT_FALSE(result);
        EXPECT_EQ(result.error().code(), Errc::io);
        EXPECT_EQ(result.error().message(),
                  "cannot read " + missing.string() + ": No such file or directory");
    }
}

TEST_F(CertificateAdminTest, ACaOfferedAsAClientCertificateIsRefusedWithItsReason) {
    SystemClock clock;
    ImportReport refused;
    auto report = admin(clock).import_client(fixtures_dir() / "ca/ca.pem", "test", &refused);
    ASSERT_FALSE(report);
    EXPECT_EQ(report.error().code(), Errc::rejected);
    EXPECT_NE(report.error().message().find("trust anchor"), std::string::npos);
    ASSERT_EQ(refused.items.size(), 1u);
    EXPECT_EQ(refused.items.at(0).reason, ImportNote::ca_certificate);
    EXPECT_EQ(*m_store->count(), 0);
}

TEST_F(CertificateAdminTest, RemovingAnIdRemovesThatCertificateOfWhateverKind) {
    SystemClock clock;
    auto a = admin(clock);
    auto anchor = a.import_ca(fixtures_dir() / "ca/ca.pem", "test");
    ASSERT_TRUE(anchor) << anchor.error().message();
    auto client = a.import_client(fixtures_dir() / "client/ok-rsa2048-dn-email.pem", "test");
    ASSERT_TRUE(client) << client.error().message();
    const long long ca_id = anchor->items.at(0).certificate.id;
    EXPECT_NE(ca_id, client->items.at(0).certificate.id);
    auto removed = a.remove(ca_id, "test");
    ASSERT_TRUE(removed) << removed.error().message();
    EXPECT_EQ(removed->kind, CertificateKind::ca);
    EXPECT_EQ(a.list(CertificateKind::client)->size(), 1u);
    auto again = a.remove(ca_id, "test");
    ASSERT_FALSE(again);
    EXPECT_EQ(again.error().code(), Errc::not_found);
}

}  // namespace
}  // namespace casecrypt::services
