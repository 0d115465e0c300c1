// Mailboxes through the API: added with a password that never comes back, tested (the mailbox
// is listed, nothing fetched), removed; bad input says why.
#include <gtest/gtest.h>

#include "web/served_desk.h"

namespace casecrypt::test {
namespace {

TEST(AccountRoutes, AnAccountIsAddedTestedAndRemovedAndItsPasswordNeverComesBack) {
    ServedDesk served;
    const auto admin = served.admin();
    auto c = served.client();
    const auto dir = std::filesystem::path(served.desk().data()).parent_path() / "box";
    std::filesystem::create_directories(dir);
    std::ofstream(dir / "one.eml") << plain_mail("One", "one@customer.test");

    const auto added = c.Post("/api/accounts", admin.headers(true),
                              nlohmann::json{{"name", "second"},
                                             {"url", "dir://" + dir.string()},
                                             {"user", "desk"},
                                             {"password", "mailbox secret 42"}}
                                  .dump(),
                              "application/json");
    ASSERT_TRUE(added);
    ASSERT_EQ(added->status, 201) << added->body;
    const auto list = c.Get("/api/accounts", admin.headers());
    ASSERT_TRUE(list);
    EXPECT_EQ(ServedDesk::json(list), served.desk().json({"account", "list", "--json"}));
    EXPECT_EQ(list->body.find("mailbox secret 42"), std::string::npos);
    EXPECT_EQ(added->body.find("mailbox secret 42"), std::string::npos);

    const auto tested = c.Post("/api/accounts/second/test", admin.headers(true));
    ASSERT_TRUE(tested);
    ASSERT_EQ(tested->status, 200) << tested->body;
    EXPECT_EQ(ServedDesk::json(tested)["ok"], true) << tested->body;
    EXPECT_EQ(ServedDesk::json(tested)["messages"], 1) << tested->body;
    EXPECT_TRUE(std::filesystem::exists(dir / "one.eml")) << "a test fetches nothing";

    std::filesystem::remove_all(dir);
    const auto broken = c.Post("/api/accounts/second/test", admin.headers(true));
    ASSERT_TRUE(broken);
    EXPECT_EQ(broken->status, 200);
    EXPECT_EQ(ServedDesk::json(broken)["ok"], false) << broken->body;
    EXPECT_FALSE(ServedDesk::json(broken).value("error", "").empty()) << broken->body;

    const auto bad = c.Post("/api/accounts", admin.headers(true),
                            R"({"name":"x","url":"gopher://nowhere"})", "application/json");
    ASSERT_TRUE(bad);
    EXPECT_EQ(bad->status, 400) << bad->body;
    const auto removed = c.Delete("/api/accounts/second", admin.headers(true));
    ASSERT_TRUE(removed);
    EXPECT_EQ(removed->status, 200) << removed->body;
    const auto unknown = c.Post("/api/accounts/second/test", admin.headers(true));
    ASSERT_TRUE(unknown);
    EXPECT_EQ(unknown->status, 404) << unknown->body;
}

}  // namespace
}  // namespace casecrypt::test
