// The services behind the web edge's logins: users with Argon2id hashes, sessions kept as token
// digests with a derived CSRF token and an idle timeout, failed logins slowed down per login and
// per client address, page customizations and the audit trail, on a real Installation (SQLite)
// with a clock the test moves.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <filesystem>

#include "services/installation.h"
#include "support/run_cli.h"

namespace casecrypt::services {
namespace {

class MovableClock final : public Clock {
public:
    TimePoint now() const override { return m_now; }
    void advance(std::chrono::seconds by) { m_now += by; }

private:
    TimePoint m_now =
        std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
};

// What the sqlite3 CLI prints for a query: the database as someone with a copy of it sees it.
std::string sqlite_query(const std::filesystem::path& db, const std::string& sql) {
    const std::string command = "sqlite3 '" + db.string() + "' '" + sql + "'";
    std::string out;
    if (FILE* pipe = ::popen(command.c_str(), "r")) {
        char buffer[4096];
        while (std::size_t n = std::fread(buffer, 1, sizeof buffer, pipe))
            out.append(buffer, n);
        ::pclose(pipe);
    }
    return out;
}

class WebAccessTest : public ::testing::Test {
protected:
    void SetUp() override {
        auto opened = Installation::open({m_dir.path() / "data", "", std::nullopt}, m_clock);
        ASSERT_TRUE(opened) << opened.error().message();
        m_installation = std::move(*opened);
    }
    Users& users() { return m_installation->users(); }
    Sessions& sessions() { return m_installation->sessions(); }

    test::TempDir m_dir;
    MovableClock m_clock;
    std::unique_ptr<Installation> m_installation;
    const Secret m_password{"correct horse battery staple"};
};

TEST_F(WebAccessTest, TheFirstStartMakesOneAdminWithAOneTimePasswordOnce) {
    auto first = users().ensure_first_admin();
    ASSERT_TRUE(first) << first.error().message();
    ASSERT_TRUE(*first) << "no user yet: an admin is made";
    EXPECT_GE((*first)->size(), 20u);
    auto second = users().ensure_first_admin();
    ASSERT_TRUE(second);
    EXPECT_FALSE(*second) << "the password is handed out once";
    auto admin = users().get("admin");
    ASSERT_TRUE(admin);
    EXPECT_EQ(admin->role, Role::admin);
    EXPECT_TRUE(admin->must_change_password);
    auto login = sessions().login("admin", **first, "127.0.0.1");
    ASSERT_TRUE(login) << login.error().message();
    EXPECT_TRUE(login->session.must_change_password);
}

TEST_F(WebAccessTest, PasswordsAreCheckedAndStoredOnlyAsArgon2idHashes) {
    ASSERT_TRUE(users().add("alice", Role::engineer, m_password, "test", false));
    EXPECT_TRUE(users().verify("alice", m_password));
    auto wrong = users().verify("alice", Secret("correct horse battery stapler"));
    ASSERT_FALSE(wrong);
    EXPECT_EQ(wrong.error().code(), Errc::denied);
    auto unknown = users().verify("nobody", m_password);
    ASSERT_FALSE(unknown);
    EXPECT_EQ(unknown.error().message(), wrong.error().message())
        << "an unknown login and a wrong password read the same";

    const auto dump =
        sqlite_query(m_dir.path() / "data" / "casecrypt.db", "SELECT password_hash FROM users");
    EXPECT_TRUE(dump.starts_with("$argon2id$v=19$m=65536,t=3,p=1$")) << dump;
    EXPECT_EQ(dump.find("correct horse"), std::string::npos);

    auto short_one = users().add("bob", Role::admin, Secret("short"), "test");
    ASSERT_FALSE(short_one);
    EXPECT_EQ(short_one.error().code(), Errc::usage);
    auto bad_login = users().add("bob smith", Role::admin, m_password, "test");
    ASSERT_FALSE(bad_login);
    EXPECT_EQ(bad_login.error().code(), Errc::usage);
    auto twice = users().add("alice", Role::admin, m_password, "test");
    ASSERT_FALSE(twice);
    EXPECT_EQ(twice.error().code(), Errc::conflict);
}

TEST_F(WebAccessTest, TheLastAdminCannotBeRemoved) {
    ASSERT_TRUE(users().add("root1", Role::admin, m_password, "test"));
    ASSERT_TRUE(users().add("eng", Role::engineer, m_password, "test"));
    auto last = users().remove("root1", "test");
    ASSERT_FALSE(last);
    EXPECT_EQ(last.error().code(), Errc::conflict);
    ASSERT_TRUE(users().add("root2", Role::admin, m_password, "test"));
    EXPECT_TRUE(users().remove("root1", "test"));
    EXPECT_TRUE(users().remove("eng", "test"));
}

TEST_F(WebAccessTest, ASessionIsFoundByItsTokenOnlyAndEndsWhenIdle) {
    ASSERT_TRUE(users().add("alice", Role::engineer, m_password, "test", false));
    auto login = sessions().login("alice", m_password, "192.0.2.7");
    ASSERT_TRUE(login) << login.error().message();
    EXPECT_EQ(login->token.size(), 64u);
    EXPECT_EQ(login->session.csrf_token.size(), 64u);
    EXPECT_NE(login->session.csrf_token, login->token.reveal());

    auto found = sessions().find(login->token);
    ASSERT_TRUE(found) << found.error().message();
    EXPECT_EQ(found->login, "alice");
    EXPECT_EQ(found->role, Role::engineer);
    EXPECT_EQ(found->csrf_token, login->session.csrf_token);
    EXPECT_TRUE(Sessions::csrf_matches(*found, login->session.csrf_token));
    EXPECT_FALSE(Sessions::csrf_matches(*found, ""));
    EXPECT_FALSE(Sessions::csrf_matches(*found, std::string(64, '0')));

    const auto db = sqlite_query(m_dir.path() / "data" / "casecrypt.db", "SELECT * FROM sessions");
    EXPECT_NE(db.find("alice"), std::string::npos) << db;
    EXPECT_EQ(db.find(login->token.reveal()), std::string::npos)
        << "the database keeps the token's digest, not the token";
    EXPECT_EQ(db.find(login->session.csrf_token), std::string::npos);

    EXPECT_FALSE(sessions().find(Secret(std::string(64, 'a'))));

    // A request renews the idle timeout (30 minutes by default).
    m_clock.advance(std::chrono::minutes(20));
    ASSERT_TRUE(sessions().find(login->token));
    m_clock.advance(std::chrono::minutes(20));
    ASSERT_TRUE(sessions().find(login->token)) << "renewed 20 minutes ago";
    m_clock.advance(std::chrono::minutes(31));
    auto ended = sessions().find(login->token);
    ASSERT_FALSE(ended);
    EXPECT_EQ(ended.error().code(), Errc::denied);
}

TEST_F(WebAccessTest, LogoutAndRemovingTheUserEndTheSession) {
    ASSERT_TRUE(users().add("root", Role::admin, m_password, "test", false));
    ASSERT_TRUE(users().add("alice", Role::engineer, m_password, "test", false));
    auto a = sessions().login("alice", m_password, "127.0.0.1");
    auto b = sessions().login("alice", m_password, "127.0.0.1");
    ASSERT_TRUE(a && b);
    ASSERT_TRUE(sessions().logout(a->token));
    EXPECT_FALSE(sessions().find(a->token));
    EXPECT_TRUE(sessions().find(b->token));
    ASSERT_TRUE(users().remove("alice", "root"));
    EXPECT_FALSE(sessions().find(b->token));
}

TEST_F(WebAccessTest, FailedLoginsAreSlowedDownPerLoginAndPerAddress) {
    ASSERT_TRUE(users().add("alice", Role::engineer, m_password, "test", false));
    const Secret wrong("not the password at all");
    for (int i = 0; i < 5; ++i) {
        auto attempt = sessions().login("alice", wrong, "198.51.100.1");
        ASSERT_FALSE(attempt);
        EXPECT_EQ(attempt.error().code(), Errc::denied) << "attempt " << i + 1;
    }
    // The sixth at once is refused without looking at the password, even the right one.
    auto throttled = sessions().login("alice", m_password, "198.51.100.1");
    ASSERT_FALSE(throttled);
    EXPECT_EQ(throttled.error().code(), Errc::throttled);
    EXPECT_NE(throttled.error().message().find("try again in 2 s"), std::string::npos)
        << "1 s after the 5th failure, whose time is stored in whole seconds: "
        << throttled.error().message();
    // Another address is slowed down too: the login is the target.
    auto elsewhere = sessions().login("alice", m_password, "203.0.113.9");
    ASSERT_FALSE(elsewhere);
    EXPECT_EQ(elsewhere.error().code(), Errc::throttled);
    m_clock.advance(std::chrono::seconds(1));
    ASSERT_EQ(sessions().login("alice", m_password, "198.51.100.1").error().code(), Errc::throttled)
        << "the wait is never shorter than the delay";

    // One more failure after the wait doubles it.
    m_clock.advance(std::chrono::seconds(1));
    auto sixth = sessions().login("alice", wrong, "198.51.100.1");
    ASSERT_FALSE(sixth);
    ASSERT_EQ(sixth.error().code(), Errc::denied);
    m_clock.advance(std::chrono::seconds(2));
    auto doubled = sessions().login("alice", m_password, "198.51.100.1");
    ASSERT_FALSE(doubled);
    EXPECT_NE(doubled.error().message().find("try again in 1 s"), std::string::npos)
        << "2 s after the 6th failure, its 2 s delay not over: " << doubled.error().message();
    m_clock.advance(std::chrono::seconds(1));
    EXPECT_TRUE(sessions().login("alice", m_password, "198.51.100.1"))
        << "the right password after the wait";

    // One address guessing many logins is slowed down as well.
    for (int i = 0; i < 5; ++i)
        ASSERT_FALSE(sessions().login("user" + std::to_string(i), wrong, "192.0.2.50"));
    auto sprayed = sessions().login("alice", m_password, "192.0.2.50");
    ASSERT_FALSE(sprayed);
    EXPECT_EQ(sprayed.error().code(), Errc::throttled);

    auto audit = m_installation->audit().recent(100);
    ASSERT_TRUE(audit);
    int failed = 0;
    for (const auto& e : *audit)
        failed += e.action == "login.failed";
    EXPECT_EQ(failed, 11);
}

TEST_F(WebAccessTest, MailEncryptionAvailableIsAFalseBooleanUntilSetAndAudited) {
    auto& pages = m_installation->page_customizations();
    auto all = pages.list();
    ASSERT_TRUE(all);
    ASSERT_EQ(all->size(), 1u);
    EXPECT_EQ((*all)[0].type, "mailTemplate");
    EXPECT_EQ((*all)[0].name, "mailEncryptionAvailable");
    EXPECT_EQ((*all)[0].value, "false");
    EXPECT_EQ(pages.get_bool("mailTemplate", "mailEncryptionAvailable"), false);
    auto bad = pages.set("mailTemplate", "mailEncryptionAvailable", "maybe", "alice");
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().code(), Errc::rejected);
    auto unknown = pages.set("mailTemplate", "nope", "true", "alice");
    ASSERT_FALSE(unknown);
    EXPECT_EQ(unknown.error().code(), Errc::not_found);
    ASSERT_TRUE(pages.set("mailTemplate", "mailEncryptionAvailable", "TRUE", "alice"));
    EXPECT_EQ(pages.get_bool("mailTemplate", "mailEncryptionAvailable"), true);
    auto audit = m_installation->audit().recent(1);
    ASSERT_TRUE(audit && !audit->empty());
    EXPECT_EQ((*audit)[0].actor, "alice");
    EXPECT_EQ((*audit)[0].action, "page-customization.set");
    EXPECT_EQ((*audit)[0].detail, "mailTemplate / mailEncryptionAvailable = true");
}

TEST_F(WebAccessTest, TheAuditTrailPagesBackwards) {
    for (int i = 0; i < 5; ++i)
        ASSERT_TRUE(users().add("u" + std::to_string(i), Role::engineer, m_password, "t"));
    auto first = m_installation->audit().recent(2);
    ASSERT_TRUE(first);
    ASSERT_EQ(first->size(), 2u);
    EXPECT_EQ((*first)[0].detail, "u4 (engineer)");
    auto next = m_installation->audit().recent(2, (*first)[1].id);
    ASSERT_TRUE(next);
    ASSERT_EQ(next->size(), 2u);
    EXPECT_EQ((*next)[0].detail, "u2 (engineer)");
    EXPECT_FALSE(m_installation->audit().recent(0));
}

}  // namespace
}  // namespace casecrypt::services
