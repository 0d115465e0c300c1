// CertificateAdmin with a controlled clock: validity is judged at "now", rejected imports leave
// the store unchanged, the stored key is sealed and opens with the vault.
#include "services/certificate_admin.h"

#include <gtest/gtest.h>

#include "core/file_io.h"
#include "core/iso_time.h"
#include "crypto/openssl_error.h"
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
        m_anchors = std::make_unique<store::TrustAnchorStore>(*m_db);
    }

    CertificateAdmin admin(const Clock& clock) {
        return CertificateAdmin(*m_store, *m_anchors, *m_audit, *m_vault, clock);
    }

    test::TempDir m_dir;
    std::unique_ptr<store::Database> m_db;
    std::unique_ptr<crypto::KeyVault> m_vault;
    std::unique_ptr<store::CertificateStore> m_store;
    std::unique_ptr<store::AuditLog> m_audit;
    std::unique_ptr<store::TrustAnchorStore> m_anchors;
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

}  // namespace
}  // namespace casecrypt::services
