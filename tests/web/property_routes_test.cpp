// Properties and page customizations through the API, and what the Ticket Email Editor is told:
// the "Send encrypted" checkbox shows only when mail.encryption and mailEncryptionAvailable are
// both true; a secret is shown as ***; a bad value is 422 and changes nothing.
#include <gtest/gtest.h>

#include "web/served_desk.h"

namespace casecrypt::test {
namespace {

nlohmann::json find(const nlohmann::json& list, const std::string& key, const std::string& name) {
    for (const auto& item : list) {
        if (item[key] == name)
            return item;
    }
    return nullptr;
}

TEST(PropertyRoutes, TheEditorCheckboxFollowsBothSwitches) {
    ServedDesk served;
    const auto admin = served.admin();
    const auto engineer = served.user("erin", "engineer");
    auto c = served.client();
    const auto properties = c.Get("/api/properties", admin.headers());
    ASSERT_TRUE(properties);
    EXPECT_EQ(ServedDesk::json(properties), served.desk().json({"property", "list", "--json"}));
    const auto pages = ServedDesk::json(c.Get("/api/page-customizations", admin.headers()));
    const auto available = find(pages, "name", "mailEncryptionAvailable");
    ASSERT_FALSE(available.is_null()) << pages.dump();
    EXPECT_EQ(available["type"], "mailTemplate");
    EXPECT_EQ(available["value"], "false");

    auto editor = [&] { return ServedDesk::json(c.Get("/api/editor", engineer.headers())); };
    auto put = [&](const std::string& path, const std::string& body) {
        return c.Put(path, admin.headers(true), body, "application/json");
    };
    EXPECT_EQ(editor()["encryption_available"], false);
    ASSERT_EQ(
        put("/api/page-customizations/mailTemplate/mailEncryptionAvailable", R"({"value":true})")
            ->status,
        200);
    EXPECT_EQ(editor()["encryption_available"], false) << "mail.encryption is still off";
    EXPECT_EQ(editor()["encrypt_default"], false);
    ASSERT_EQ(
        put("/api/properties/cmas-core-server/mail.encryption", R"({"value":"true"})")->status,
        200);
    EXPECT_EQ(editor()["encryption_available"], true);
    EXPECT_EQ(editor()["encrypt_default"], true);
    ASSERT_EQ(
        put("/api/page-customizations/mailTemplate/mailEncryptionAvailable", R"({"value":"false"})")
            ->status,
        200);
    EXPECT_EQ(editor()["encryption_available"], false);
    EXPECT_EQ(editor()["encrypt_default"], true) << "encrypted by default, no checkbox";

    const auto bad =
        put("/api/properties/cmas-core-server/mail.encryption", R"({"value":"maybe"})");
    ASSERT_TRUE(bad);
    EXPECT_EQ(bad->status, 422) << bad->body;
    const auto unknown = put("/api/properties/cmas-core-server/no.such", R"({"value":"1"})");
    ASSERT_TRUE(unknown);
    EXPECT_EQ(unknown->status, 404) << unknown->body;
    const auto secret = put("/api/properties/cmas-core-server/ldap.certificate.password",
                            R"({"value":"directory secret 7"})");
    ASSERT_TRUE(secret);
    ASSERT_EQ(secret->status, 200) << secret->body;
    EXPECT_EQ(ServedDesk::json(secret)["value"], "***");
    const auto listed = c.Get("/api/properties", admin.headers());
    EXPECT_EQ(listed->body.find("directory secret 7"), std::string::npos);
}

}  // namespace
}  // namespace casecrypt::test
