// `casecrypt user ...`, `page-customization ...` and `audit list` end to end: what an operator
// does on the server before (or instead of) the browser, audited as the local operator.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/run_cli.h"

namespace casecrypt::test {
namespace {

class UserCommands : public ::testing::Test {
protected:
    CliResult cli(std::vector<std::string> args, const std::string& in = {}) {
        args.insert(args.begin(), {"--data-dir", (m_dir.path() / "data").string()});
        return run_cli(args, in);
    }
    TempDir m_dir;
};

TEST_F(UserCommands, AddListPasswdRemoveWithOneTimePasswords) {
    const auto add = cli({"user", "add", "alice", "--role", "engineer"});
    ASSERT_EQ(add.exit_code, 0) << add.err;
    EXPECT_NE(add.out.find("one-time password for alice: "), std::string::npos) << add.out;
    const auto given =
        cli({"user", "add", "root2", "--role", "admin", "--password-stdin"}, "a long password\n");
    ASSERT_EQ(given.exit_code, 0) << given.err;
    EXPECT_EQ(given.out.find("one-time"), std::string::npos) << "a given password is not echoed";

    const auto list = nlohmann::json::parse(cli({"user", "list", "--json"}).out);
    ASSERT_EQ(list.size(), 2u);
    EXPECT_EQ(list[0]["login"], "alice");
    EXPECT_EQ(list[0]["role"], "engineer");
    EXPECT_EQ(list[0]["must_change_password"], true);
    EXPECT_EQ(list[1]["must_change_password"], false);
    EXPECT_FALSE(list[0].contains("password_hash"));
    EXPECT_EQ(list.dump().find("argon2"), std::string::npos) << "no hash in any answer";

    const auto passwd = cli({"user", "passwd", "alice", "--password-stdin"}, "another long one\n");
    EXPECT_EQ(passwd.exit_code, 0) << passwd.err;
    EXPECT_EQ(cli({"user", "remove", "alice"}).exit_code, 0);
    const auto again = cli({"user", "remove", "alice"});
    EXPECT_EQ(again.exit_code, 3);
    EXPECT_EQ(again.err, "error: no user alice\n");
}

TEST_F(UserCommands, BadInputIsRefusedWithItsReason) {
    const auto role = cli({"user", "add", "x", "--role", "boss"});
    EXPECT_EQ(role.exit_code, 2) << role.err;
    const auto short_password =
        cli({"user", "add", "x", "--role", "admin", "--password-stdin"}, "short\n");
    EXPECT_EQ(short_password.exit_code, 2) << short_password.err;
    EXPECT_EQ(short_password.err, "error: a password needs at least 12 characters\n");
    ASSERT_EQ(cli({"user", "add", "only", "--role", "admin"}).exit_code, 0);
    const auto demote = cli({"user", "role", "only", "--role", "engineer"});
    EXPECT_EQ(demote.exit_code, 3);
    EXPECT_EQ(demote.err, "error: only is the last admin; make another user an admin first\n");
    ASSERT_EQ(cli({"user", "add", "eng", "--role", "engineer"}).exit_code, 0);
    const auto promote = cli({"user", "role", "eng", "--role", "admin"});
    EXPECT_EQ(promote.exit_code, 0) << promote.err;
    EXPECT_EQ(promote.out, "user eng is admin\n");
    ASSERT_EQ(cli({"user", "role", "eng", "--role", "engineer"}).exit_code, 0);
    const auto last = cli({"user", "remove", "only"});
    EXPECT_EQ(last.exit_code, 3);
    EXPECT_EQ(last.err, "error: only is the last admin; add another admin first\n");
    const auto twice = cli({"user", "add", "only", "--role", "engineer"});
    EXPECT_EQ(twice.exit_code, 3);
    EXPECT_EQ(twice.err, "error: a user only exists already\n");
}

TEST_F(UserCommands, PageCustomizationChangesAreAuditedAsTheLocalOperator) {
    const auto before = nlohmann::json::parse(cli({"page-customization", "list", "--json"}).out);
    ASSERT_EQ(before.size(), 1u);
    EXPECT_EQ(before[0]["type"], "mailTemplate");
    EXPECT_EQ(before[0]["name"], "mailEncryptionAvailable");
    EXPECT_EQ(before[0]["value"], "false");
    const auto wrong =
        cli({"page-customization", "set", "mailTemplate", "mailEncryptionAvailable", "yes"});
    EXPECT_EQ(wrong.exit_code, 3);
    const auto set =
        cli({"page-customization", "set", "mailTemplate", "mailEncryptionAvailable", "true"});
    ASSERT_EQ(set.exit_code, 0) << set.err;
    EXPECT_EQ(set.out, "mailTemplate / mailEncryptionAvailable = true\n");
    const auto audit = nlohmann::json::parse(cli({"audit", "list", "--json", "--limit", "1"}).out);
    ASSERT_EQ(audit.size(), 1u);
    EXPECT_TRUE(audit[0]["actor"].get<std::string>().starts_with("cli:")) << audit.dump();
    EXPECT_EQ(audit[0]["action"], "page-customization.set");
}

}  // namespace
}  // namespace casecrypt::test
