// services::RecipientLookup::explain: what `cert resolve` and the editor's recipient chips say
// before a mail is sent: the certificate, or why there is none in the user's terms.
#include "services/recipient_lookup.h"

#include <gtest/gtest.h>

#include <chrono>

#include "services/installation.h"
#include "support/run_cli.h"

namespace casecrypt::services {
namespace {

class SettableClock final : public Clock {
public:
    TimePoint now() const override { return m_now; }
    void set(TimePoint at) { m_now = at; }

private:
    TimePoint m_now =
        std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
};

TEST(RecipientLookup, SaysWhyThereIsNoCertificateExpiredWithItsDate) {
    test::TempDir dir;
    SettableClock clock;
    auto installation = Installation::open({dir.path() / "data", "", std::nullopt}, clock);
    ASSERT_TRUE(installation) << installation.error().message();
    auto& lookup = (*installation)->recipient_lookup();

    auto none = lookup.explain("nobody@customer.test");
    ASSERT_TRUE(none) << none.error().message();
    EXPECT_FALSE(none->found);
    EXPECT_EQ(none->reason,
              "no certificate for nobody@customer.test (none of ours, none valid in "
              "the store, none in LDAP)");
    EXPECT_TRUE(none->store_certificates.empty());

    ASSERT_TRUE(
        (*installation)
            ->certificates()
            .import_client(test::fixtures_dir() / "client/ok-rsa2048-dn-email.pem", "test"));
    auto found = lookup.explain("Alice@Example.test");
    ASSERT_TRUE(found) << found.error().message();
    ASSERT_TRUE(found->found);
    EXPECT_EQ(found->found->from, ResolvedFrom::store);
    EXPECT_TRUE(found->reason.empty());
    ASSERT_EQ(found->store_certificates.size(), 1u);

    // Years later the certificate (valid until 2036-12) has expired: the chip says when.
    clock.set(clock.now() + std::chrono::hours(24 * 365 * 15));
    auto expired = lookup.explain("alice@example.test");
    ASSERT_TRUE(expired) << expired.error().message();
    EXPECT_FALSE(expired->found);
    EXPECT_TRUE(expired->reason.starts_with(
        "no certificate for alice@example.test (the one in the store expired on 20"))
        << expired->reason;
    ASSERT_EQ(expired->store_certificates.size(), 1u);
    EXPECT_EQ(expired->store_certificates[0].status, CertificateStatus::expired);
}

}  // namespace
}  // namespace casecrypt::services
