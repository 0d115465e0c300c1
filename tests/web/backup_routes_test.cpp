// Email backups through the API: listed as `backup list --json`, the raw mail downloaded byte
// for byte, retried after the missing key was uploaded (filed into a ticket), deleted.
#include <gtest/gtest.h>

#include "web/served_desk.h"

namespace casecrypt::test {
namespace {

TEST(BackupRoutes, ABackupIsListedDownloadedRetriedAfterTheImportAndDeleted) {
    ServedDesk served;
    const std::string raw = slurp(fx("smime/01-aes256-cbc.eml"));
    served.desk().drop("to-support", raw);
    served.desk().drop("other", slurp(fx("smime/02-aes128-cbc.eml")));
    ASSERT_EQ(served.desk().fetch().exit_code, 0);
    const auto admin = served.admin();
    auto c = served.client();

    const auto listed = c.Get("/api/backups", admin.headers());
    ASSERT_TRUE(listed);
    const auto backups = ServedDesk::json(listed);
    ASSERT_EQ(backups, served.desk().json({"backup", "list", "--json"}));
    ASSERT_EQ(backups.size(), 2u) << backups.dump();
    std::string id, other;
    for (const auto& b : backups) {
        (b["subject"].get<std::string>().starts_with("Test 01") ? id : other) =
            std::to_string(b["id"].get<long long>());
    }
    ASSERT_FALSE(id.empty());
    ASSERT_FALSE(other.empty());
    const auto deleted = c.Delete("/api/backups/" + other, admin.headers(true));
    ASSERT_TRUE(deleted);
    EXPECT_EQ(deleted->status, 200) << deleted->body;
    EXPECT_EQ(ServedDesk::json(c.Get("/api/backups", admin.headers())).size(), 1u);

    const auto download = c.Get("/api/backups/" + id + "/raw", admin.headers());
    ASSERT_TRUE(download);
    EXPECT_EQ(download->status, 200);
    EXPECT_EQ(download->body, raw);
    EXPECT_EQ(download->get_header_value("Content-Type"), "application/octet-stream");
    EXPECT_NE(download->get_header_value("Content-Disposition").find("attachment"),
              std::string::npos);

    const auto early = c.Post("/api/backups/" + id + "/retry", admin.headers(true));
    ASSERT_TRUE(early);
    EXPECT_EQ(early->status, 200) << early->body;
    EXPECT_EQ(ServedDesk::json(early)["filed"], false) << early->body;

    httplib::MultipartFormDataItems items = {
        {"file", slurp(fx("server/ok-aes256.p12")), "support.p12", "application/x-pkcs12"},
        {"password", slurp(fx("server/ok-aes256.pass")), "", ""}};
    ASSERT_EQ(c.Post("/api/certificates/server", admin.headers(true), items)->status, 201);
    const auto retried = c.Post("/api/backups/" + id + "/retry", admin.headers(true));
    ASSERT_TRUE(retried);
    ASSERT_EQ(retried->status, 200) << retried->body;
    const auto outcome = ServedDesk::json(retried);
    EXPECT_EQ(outcome["filed"], true) << retried->body;
    EXPECT_EQ(outcome["outcome"], "new ticket") << retried->body;
    const auto ticket = ServedDesk::json(c.Get(
        "/api/tickets/" + std::to_string(outcome["ticket"].get<long long>()), admin.headers()));
    EXPECT_NE(ticket["messages"][0]["text"].get<std::string>().find("Secret text 01"),
              std::string::npos);
    EXPECT_EQ(ticket["messages"][0]["encrypted"], true);
    EXPECT_TRUE(ServedDesk::json(c.Get("/api/backups", admin.headers())).empty());

    const auto none = c.Delete("/api/backups/999", admin.headers(true));
    ASSERT_TRUE(none);
    EXPECT_EQ(none->status, 404) << none->body;
}

}  // namespace
}  // namespace casecrypt::test
