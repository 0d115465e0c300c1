// Logging in: a wrong password 20 times is slowed down (429 with Retry-After, and then even the
// right password waits), a password change needs the current password once the one-time one
// is gone, and logins and passwords never come back in an answer.
#include <gtest/gtest.h>

#include "web/served_desk.h"

namespace casecrypt::test {
namespace {

TEST(SessionRoutes, AWrongPassword20TimesIsSlowedDown) {
    ServedDesk served;
    served.admin();
    int throttled = 0, denied = 0;
    std::string retry_after;
    for (int i = 0; i < 20; ++i) {
        const auto r = served.login("admin", "wrong password " + std::to_string(i));
        ASSERT_TRUE(r);
        ASSERT_TRUE(r->status == 401 || r->status == 429) << r->status << " " << r->body;
        EXPECT_TRUE(ServedDesk::json(r).contains("error")) << r->body;
        if (r->status == 429) {
            ++throttled;
            retry_after = r->get_header_value("Retry-After");
        } else {
            ++denied;
        }
    }
    EXPECT_GE(denied, 1);
    EXPECT_GE(throttled, 10) << "later attempts are refused without checking";
    EXPECT_FALSE(retry_after.empty());
    EXPECT_GT(std::stoi(retry_after), 0);
    // Even the right password waits now.
    const auto right = served.login("admin", kAdminPassword);
    ASSERT_TRUE(right);
    EXPECT_EQ(right->status, 429) << right->body;
}

TEST(SessionRoutes, AnUnknownLoginGetsTheSameAnswerAsAWrongPassword) {
    ServedDesk served;
    served.admin();
    const auto unknown = served.login("nobody", "some password 123");
    const auto wrong = served.login("admin", "some password 123");
    ASSERT_TRUE(unknown);
    ASSERT_TRUE(wrong);
    EXPECT_EQ(unknown->status, 401);
    EXPECT_EQ(wrong->status, 401);
    EXPECT_EQ(unknown->body, wrong->body);
}

TEST(SessionRoutes, ALaterPasswordChangeNeedsTheCurrentPassword) {
    ServedDesk served;
    auto c = served.client();
    const auto admin = served.admin();
    const auto missing = c.Put("/api/session/password", admin.headers(true),
                               R"({"new_password":"another password 1"})", "application/json");
    ASSERT_TRUE(missing);
    EXPECT_EQ(missing->status, 400) << missing->body;
    const auto wrong =
        c.Put("/api/session/password", admin.headers(true),
              R"({"current_password":"not it at all","new_password":"another password 1"})",
              "application/json");
    ASSERT_TRUE(wrong);
    EXPECT_EQ(wrong->status, 403) << wrong->body;
    const auto right = c.Put(
        "/api/session/password", admin.headers(true),
        nlohmann::json{{"current_password", kAdminPassword}, {"new_password", "another password 1"}}
            .dump(),
        "application/json");
    ASSERT_TRUE(right);
    EXPECT_EQ(right->status, 200) << right->body;
    EXPECT_EQ(right->body.find("another password"), std::string::npos);
    const auto again = served.login("admin", "another password 1");
    ASSERT_TRUE(again);
    EXPECT_EQ(again->status, 200) << again->body;
    EXPECT_EQ(ServedDesk::json(again)["must_change_password"], false);
}

TEST(SessionRoutes, ALoginBodyMustBeJson) {
    ServedDesk served;
    // A cross-site form can post text/plain without asking; the login takes only JSON.
    const auto form = served.client().Post(
        "/api/session",
        nlohmann::json{{"login", "admin"}, {"password", served.first_password()}}.dump(),
        "text/plain");
    ASSERT_TRUE(form);
    EXPECT_EQ(form->status, 400) << form->body;
    EXPECT_TRUE(form->get_header_value("Set-Cookie").empty());
}

}  // namespace
}  // namespace casecrypt::test
