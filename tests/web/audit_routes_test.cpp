// The audit log through the API names who did each change: the admin's and a second admin's
// changes in the web, the operator's on the command line.
#include <gtest/gtest.h>

#include "web/served_desk.h"

namespace casecrypt::test {
namespace {

bool has_entry(const nlohmann::json& entries, const std::string& actor,
               const std::string& action_part) {
    for (const auto& e : entries) {
        if (e["actor"] == actor &&
            e["action"].get<std::string>().find(action_part) != std::string::npos) {
            return true;
        }
    }
    return false;
}

TEST(AuditRoutes, TheAuditLogNamesWhoDidEachChange) {
    ServedDesk served;
    auto c = served.client();
    const auto admin = served.admin();
    const auto second = served.user("olga", "admin");
    ASSERT_EQ(c.Put("/api/properties/cmas-core-server/mail.encryption", admin.headers(true),
                    R"({"value":true})", "application/json")
                  ->status,
              200);
    ASSERT_EQ(c.Put("/api/page-customizations/mailTemplate/mailEncryptionAvailable",
                    second.headers(true), R"({"value":true})", "application/json")
                  ->status,
              200);
    httplib::MultipartFormDataItems items = {
        {"file", slurp(fx("client/ok-rsa2048-dn-email.pem")), "alice.pem", "text/plain"}};
    ASSERT_EQ(c.Post("/api/certificates/client", second.headers(true), items)->status, 201);
    ASSERT_EQ(served.desk()
                  .run({"property", "set", "cmas-core-server", "mail.ticketname.pattern",
                        "Case \\((\\d+)\\)"})
                  .exit_code,
              0);

    const auto answer = c.Get("/api/audit?limit=100", admin.headers());
    ASSERT_TRUE(answer);
    ASSERT_EQ(answer->status, 200) << answer->body;
    const auto entries = ServedDesk::json(answer);
    EXPECT_TRUE(has_entry(entries, "admin", "property")) << entries.dump(1);
    EXPECT_TRUE(has_entry(entries, "olga", "mailEncryptionAvailable") ||
                has_entry(entries, "olga", "page"))
        << entries.dump(1);
    EXPECT_TRUE(has_entry(entries, "olga", "cert")) << entries.dump(1);
    EXPECT_TRUE(has_entry(entries, "admin", "user"))
        << "olga was added by admin: " << entries.dump(1);
    bool cli = false;
    for (const auto& e : entries)
        cli = cli || e["actor"].get<std::string>().rfind("cli:", 0) == 0;
    EXPECT_TRUE(cli) << "the CLI's change names the operator: " << entries.dump(1);
    // Newest first, and pages back with ?before.
    ASSERT_GE(entries.size(), 2u);
    EXPECT_GT(entries[0]["id"].get<long long>(), entries[1]["id"].get<long long>());
    const auto older = ServedDesk::json(
        c.Get("/api/audit?limit=1&before=" + std::to_string(entries[0]["id"].get<long long>()),
              admin.headers()));
    ASSERT_EQ(older.size(), 1u);
    EXPECT_EQ(older[0]["id"], entries[1]["id"]);
}

}  // namespace
}  // namespace casecrypt::test
