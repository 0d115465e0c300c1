// The command line as a new admin meets it: `--version`, a typo in a command's name, and the
// help texts (issue 10, "What a new admin tripped over").
#include <gtest/gtest.h>

#include "support/run_cli.h"

namespace casecrypt::test {
namespace {

class CommandLine : public ::testing::Test {
protected:
    CliResult cli(std::vector<std::string> args) {
        args.insert(args.begin(), {"--data-dir", (m_dir.path() / "data").string()});
        return run_cli(args);
    }
    TempDir m_dir;
};

TEST_F(CommandLine, VersionPrintsTheVersionAndNeedsNoDataDirectory) {
    const auto r = run_cli({"--data-dir", "/nonexistent/casecrypt", "--version"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_TRUE(r.out.starts_with("casecrypt 0.")) << r.out;
    EXPECT_FALSE(std::filesystem::exists("/nonexistent/casecrypt"));
}

TEST_F(CommandLine, AMisspelledCommandIsNamedWithTheNearestOne) {
    const auto r = cli({"certs", "list"});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("unknown command 'certs'; did you mean 'cert'?"), std::string::npos)
        << r.err;
}

TEST_F(CommandLine, AMisspelledSubcommandIsNamedWithItsGroup) {
    const auto r = cli({"mail", "sned", "--to", "a@example.com"});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("unknown command 'sned' for 'casecrypt mail'; did you mean 'send'?"),
              std::string::npos)
        << r.err;
    const auto t = cli({"tickt", "list"});
    EXPECT_EQ(t.exit_code, 2);
    EXPECT_NE(t.err.find("did you mean 'ticket'?"), std::string::npos) << t.err;
}

TEST_F(CommandLine, AWordFarFromEveryCommandListsThem) {
    const auto r = cli({"frobnicate"});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("unknown command 'frobnicate' (commands: cert, property, mail"),
              std::string::npos)
        << r.err;
}

TEST_F(CommandLine, TheTopHelpSaysAllThatMailDoesAndShowsExamples) {
    const auto r = run_cli({"--help"});
    EXPECT_EQ(r.exit_code, 0);
    for (const char* word : {"Send mail", "fetch", "encrypt", "decrypt", "Examples:"}) {
        EXPECT_NE(r.out.find(word), std::string::npos) << word << "\n" << r.out;
    }
}

// Every command and group answers --help with an example (issue 10).
TEST_F(CommandLine, EveryCommandsHelpEndsWithAnExample) {
    const std::vector<std::vector<std::string>> commands = {
        {"cert"},   {"cert", "list"},    {"property"},        {"property", "set"},
        {"mail"},   {"mail", "send"},    {"mail", "fetch"},   {"mail", "decrypt"},
        {"outbox"}, {"outbox", "list"},  {"account"},         {"account", "add"},
        {"backup"}, {"backup", "retry"}, {"ticket"},          {"ticket", "show"},
        {"serve"},  {"cert", "resolve"}, {"mail", "encrypt"}, {"outbox", "retry"}};
    for (auto args : commands) {
        args.push_back("--help");
        const auto r = run_cli(args);
        EXPECT_EQ(r.exit_code, 0) << args.front();
        EXPECT_NE(r.out.find("Example"), std::string::npos) << args.front() << " " << args[1];
    }
}

// The service says what is wrong with the URL (no flag names below the edge); the CLI adds its
// flags, and never repeats the password.
TEST_F(CommandLine, AMailboxUrlWithCredentialsIsToldWhereTheyGo) {
    const auto r =
        cli({"account", "add", "desk", "--url", "imap://helpdesk:hunter2@mail.example.test/"});
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_NE(r.err.find("holds a user name or password"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("--user and --password-file"), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find("hunter2"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace casecrypt::test
