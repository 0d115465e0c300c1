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

TEST(UserRoutes, ARoleChangeAppliesAtTheNextRequestAndNeverLeavesNoAdmin) {
    ServedDesk served;
    const auto admin = served.admin();
    auto c = served.client();
    const auto erin = served.user("erin", "engineer");
    const auto before = c.Get("/api/users", erin.headers());
    ASSERT_TRUE(before);
    EXPECT_EQ(before->status, 403) << "an engineer may not list users";

    const auto last = c.Put("/api/users/admin/role", admin.headers(true), R"({"role":"engineer"})",
                            "application/json");
    ASSERT_TRUE(last);
    EXPECT_EQ(last->status, 409) << last->body;
    EXPECT_EQ(ServedDesk::json(last)["error"],
              "admin is the last admin; make another user an admin first");
    const auto bad = c.Put("/api/users/erin/role", admin.headers(true), R"({"role":"boss"})",
                           "application/json");
    ASSERT_TRUE(bad);
    EXPECT_EQ(bad->status, 400) << bad->body;
    const auto by_engineer = c.Put("/api/users/erin/role", erin.headers(true),
                                   R"({"role":"admin"})", "application/json");
    ASSERT_TRUE(by_engineer);
    EXPECT_EQ(by_engineer->status, 403) << "nobody promotes themselves";

    const auto promoted = c.Put("/api/users/erin/role", admin.headers(true), R"({"role":"admin"})",
                                "application/json");
    ASSERT_TRUE(promoted);
    ASSERT_EQ(promoted->status, 200) << promoted->body;
    EXPECT_EQ(ServedDesk::json(promoted)["role"], "admin");
    // Erin's session, opened as an engineer, has the new role at its next request.
    const auto after = c.Get("/api/users", erin.headers());
    ASSERT_TRUE(after);
    EXPECT_EQ(after->status, 200) << after->body;
    // Now there are two admins: the first may become an engineer.
    const auto demoted = c.Put("/api/users/admin/role", admin.headers(true),
                               R"({"role":"engineer"})", "application/json");
    ASSERT_TRUE(demoted);
    EXPECT_EQ(demoted->status, 200) << demoted->body;
    const auto audit = served.desk().json({"audit", "list", "--json", "--limit", "3"});
    bool found = false;
    for (const auto& e : audit)
        found = found || (e["action"] == "user.role" && e["actor"] == "admin" &&
                          e["detail"] == "erin: engineer -> admin");
    EXPECT_TRUE(found) << audit.dump();
}

}  // namespace
}  // namespace casecrypt::test
