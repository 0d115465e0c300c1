// The outbox through the API: a reply sent from a ticket is listed as `outbox list --json`
// says; retrying a copy that does not exist is 404.
#include <gtest/gtest.h>

#include "web/served_desk.h"

namespace casecrypt::test {
namespace {

TEST(OutboxRoutes, TheOutboxIsListedAsTheCliSaysAndAnUnknownRetryIs404) {
    ServedDesk served;
    served.desk().drop("1", plain_mail("Printer on fire", "first@customer.test"));
    ASSERT_EQ(served.desk().fetch().exit_code, 0);
    const auto admin = served.admin();
    auto c = served.client();
    const auto sent =
        c.Post("/api/tickets/1/mails", admin.headers(true),
               R"({"to":"carl@customer.test","subject":"Re","text":"Done."})", "application/json");
    ASSERT_TRUE(sent);
    ASSERT_EQ(sent->status, 201) << sent->body;
    const auto listed = c.Get("/api/outbox", admin.headers());
    ASSERT_TRUE(listed);
    const auto outbox = ServedDesk::json(listed);
    EXPECT_EQ(outbox, served.desk().json({"outbox", "list", "--json"}));
    ASSERT_EQ(outbox.size(), 1u);
    EXPECT_EQ(outbox[0]["state"], "sent") << outbox.dump();
    const auto unknown = c.Post("/api/outbox/999/retry", admin.headers(true));
    ASSERT_TRUE(unknown);
    EXPECT_EQ(unknown->status, 404) << unknown->body;
}

TEST(OutboxRoutes, ARetryIsAnAdminsAuditedAction) {
    ServedDesk served;
    const auto& desk = served.desk();
    served.desk().drop("1", plain_mail("Printer on fire", "first@customer.test"));
    ASSERT_EQ(desk.fetch().exit_code, 0);
    ASSERT_EQ(
        desk.run({"property", "set", "cmas-core-server", "mail.encryption", "true"}).exit_code, 0);
    ASSERT_EQ(desk.run({"property", "set", "cmas-core-server",
                        "mail.encryption.missing.certificate", "reject"})
                  .exit_code,
              0);
    const auto admin = served.admin();
    const auto engineer = served.user("erin", "engineer");
    auto c = served.client();
    const auto refused =
        c.Post("/api/tickets/1/mails", admin.headers(true),
               R"({"to":"carl@customer.test","subject":"Re","text":"Done."})", "application/json");
    ASSERT_TRUE(refused);
    ASSERT_EQ(refused->status, 422) << refused->body;
    const auto outbox = ServedDesk::json(c.Get("/api/outbox", admin.headers()));
    ASSERT_EQ(outbox.size(), 1u) << outbox.dump();
    EXPECT_EQ(outbox[0]["state"], "rejected");
    const std::string retry =
        "/api/outbox/" + std::to_string(outbox[0]["id"].get<long long>()) + "/retry";

    const auto by_engineer = c.Post(retry, engineer.headers(true));
    ASSERT_TRUE(by_engineer);
    EXPECT_EQ(by_engineer->status, 403);
    const auto without_token = c.Post(retry, admin.headers(false));
    ASSERT_TRUE(without_token);
    EXPECT_EQ(without_token->status, 403);

    // The cause fixed (the policy), the admin retries: it goes out, and the audit log says who.
    ASSERT_EQ(desk.run({"property", "set", "cmas-core-server",
                        "mail.encryption.missing.certificate", "unencrypted"})
                  .exit_code,
              0);
    const auto retried = c.Post(retry, admin.headers(true));
    ASSERT_TRUE(retried);
    EXPECT_EQ(retried->status, 200) << retried->body;
    const auto audit = desk.json({"audit", "list", "--json", "--limit", "5"});
    bool found = false;
    for (const auto& e : audit)
        found = found || (e["action"] == "outbox.retry" && e["actor"] == "admin");
    EXPECT_TRUE(found) << audit.dump();
}

}  // namespace
}  // namespace casecrypt::test
