// Users through the API: added (must change the password at the first login), a password set
// by an admin ends the user's sessions, the last admin cannot go, no answer holds a password.
#include <gtest/gtest.h>

#include "web/served_desk.h"

namespace casecrypt::test {
namespace {

TEST(UserRoutes, UsersAreAddedResetAndRemovedButNeverTheLastAdmin) {
    ServedDesk served;
    const auto admin = served.admin();
    auto c = served.client();
    const auto erin = served.user("erin", "engineer");
    const auto list = c.Get("/api/users", admin.headers());
    ASSERT_TRUE(list);
    const auto users = ServedDesk::json(list);
    ASSERT_EQ(users.size(), 2u) << users.dump();
    EXPECT_EQ(list->body.find("\"password\""), std::string::npos);
    EXPECT_EQ(list->body.find("first password"), std::string::npos);

    const auto duplicate = c.Post(
        "/api/users", admin.headers(true),
        R"({"login":"erin","role":"engineer","password":"long enough pw"})", "application/json");
    ASSERT_TRUE(duplicate);
    EXPECT_EQ(duplicate->status, 409) << duplicate->body;
    const auto bad_role =
        c.Post("/api/users", admin.headers(true),
               R"({"login":"z","role":"boss","password":"long enough pw"})", "application/json");
    ASSERT_TRUE(bad_role);
    EXPECT_EQ(bad_role->status, 400) << bad_role->body;

    // An admin sets erin's password: erin's session ends, and erin must change it again.
    const auto reset = c.Put("/api/users/erin/password", admin.headers(true),
                             R"({"password":"reset by the admin 1"})", "application/json");
    ASSERT_TRUE(reset);
    ASSERT_EQ(reset->status, 200) << reset->body;
    EXPECT_EQ(ServedDesk::json(reset)["must_change_password"], true) << reset->body;
    const auto ended = c.Get("/api/tickets", erin.headers());
    ASSERT_TRUE(ended);
    EXPECT_EQ(ended->status, 401);

    const auto last = c.Delete("/api/users/admin", admin.headers(true));
    ASSERT_TRUE(last);
    EXPECT_EQ(last->status, 409) << last->body;
    const auto removed = c.Delete("/api/users/erin", admin.headers(true));
    ASSERT_TRUE(removed);
    EXPECT_EQ(removed->status, 200) << removed->body;
    EXPECT_EQ(ServedDesk::json(c.Get("/api/users", admin.headers())).size(), 1u);
}

}  // namespace
}  // namespace casecrypt::test
