// What comes in at the command line's edges: secrets off the command line (--value-file,
// --value-stdin), a bounded standard input for every secret, arguments that must be UTF-8, and
// JSON listings that cannot abort on text already stored (docs/cli.md, "Input").
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "support/openssl_cli.h"
#include "support/run_cli.h"

namespace casecrypt::test {
namespace {

namespace fs = std::filesystem;

std::string slurp(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

class InputEdges : public ::testing::Test {
protected:
    CliResult cli(std::vector<std::string> args, const std::string& stdin_data = {}) {
        args.insert(args.begin(), {"--data-dir", data().string()});
        return run_cli(args, stdin_data);
    }
    fs::path data() const { return m_dir.path() / "data"; }
    std::string sql(const std::string& statement) {
        return shell("sqlite3 " + quote((data() / "casecrypt.db").string()) + " " +
                     quote(statement));
    }
    // Runs the binary with standard input from a file (such as /dev/zero); returns its exit code.
    int cli_with_stdin_from(const std::string& file, const std::vector<std::string>& args) {
        std::string command =
            "timeout 60 " + quote(casecrypt_binary()) + " --data-dir " + quote(data().string());
        for (const auto& a : args)
            command += " " + quote(a);
        return std::stoi(shell(command + " <" + quote(file) + " >/dev/null 2>&1; echo $?"));
    }
    nlohmann::json json(std::vector<std::string> args) {
        const auto r = cli(std::move(args));
        EXPECT_FALSE(r.signaled) << "killed by signal " << r.signal << ": " << r.err;
        EXPECT_EQ(r.exit_code, 0) << r.err;
        return nlohmann::json::parse(r.out, nullptr, false);
    }

    TempDir m_dir;
};

TEST_F(InputEdges, PropertySetValueStdinKeepsSecretOffTheCommandLine) {
    const std::string secret = "smtp-7d1e4b-never-in-clear";
    const auto set =
        cli({"property", "set", "cmas-core-server", "mail.transport.password", "--value-stdin"},
            secret + "\n");
    ASSERT_EQ(set.exit_code, 0) << set.err;
    EXPECT_EQ(set.out, "cmas-core-server / mail.transport.password = ***\n");
    EXPECT_EQ(slurp(data() / "casecrypt.db").find(secret), std::string::npos) << "sealed";

    std::ofstream(m_dir.path() / "basedn") << "dc=example,dc=test\n";
    const auto from_file = cli({"property", "set", "cmas-core-server", "ldap.certificate.basedn",
                                "--value-file", (m_dir.path() / "basedn").string()});
    ASSERT_EQ(from_file.exit_code, 0) << from_file.err;
    EXPECT_EQ(cli({"property", "get", "cmas-core-server", "ldap.certificate.basedn"}).out,
              "dc=example,dc=test\n");

    // Exactly one of VALUE, --value-file and --value-stdin.
    EXPECT_EQ(cli({"property", "set", "cmas-core-server", "ldap.certificate.basedn"}).exit_code, 2);
    EXPECT_EQ(cli({"property", "set", "cmas-core-server", "ldap.certificate.basedn", "dc=x",
                   "--value-stdin"},
                  "dc=y\n")
                  .exit_code,
              2);
    EXPECT_EQ(cli({"property", "set", "cmas-core-server", "ldap.certificate.basedn", "--value-file",
                   (m_dir.path() / "basedn").string(), "--value-stdin"},
                  "dc=y\n")
                  .exit_code,
              2);
    const auto missing = cli({"property", "set", "cmas-core-server", "ldap.certificate.basedn",
                              "--value-file", (m_dir.path() / "nope").string()});
    EXPECT_EQ(missing.exit_code, 3) << missing.err;

    const auto help = run_cli({"property", "set", "--help"});
    EXPECT_NE(help.out.find("--value-stdin"), std::string::npos) << help.out;
    EXPECT_NE(help.out.find("ps"), std::string::npos) << help.out;
}

TEST_F(InputEdges, PasswordStdinRefusesMoreThan64KiB) {
    // 64 KiB in all, the newline included, is the most there may be.
    const std::string exactly(64 * 1024 - 1, 'p');
    const auto fits =
        cli({"account", "add", "fits", "--url", "imap://127.0.0.1:1/INBOX", "--password-stdin"},
            exactly + "\n");
    EXPECT_EQ(fits.exit_code, 0) << fits.err;
    const auto beyond =
        cli({"account", "add", "beyond", "--url", "imap://127.0.0.1:1/INBOX", "--password-stdin"},
            exactly + "pp");  // one byte more
    EXPECT_EQ(beyond.exit_code, 3) << beyond.err;
    EXPECT_NE(beyond.err.find("standard input: larger than 65536 bytes"), std::string::npos)
        << beyond.err;
    // An endless standard input ends at once instead of filling memory.
    const std::string p12 = (fixtures_dir() / "server/ok-aes256.p12").string();
    EXPECT_EQ(cli_with_stdin_from("/dev/zero", {"cert", "import-server", p12, "--password-stdin"}),
              3);
    EXPECT_EQ(cli_with_stdin_from("/dev/zero", {"property", "set", "cmas-core-server",
                                                "mail.transport.password", "--value-stdin"}),
              3);
    const auto accounts = json({"account", "list", "--json"});
    ASSERT_EQ(accounts.size(), 2u) << accounts;  // local and fits
    EXPECT_TRUE(json({"cert", "list", "--json"}).empty());
}

TEST_F(InputEdges, InvalidUtf8ArgumentIsRefusedNamingIt) {
    const auto property =
        cli({"property", "set", "cmas-core-server", "ldap.certificate.basedn", "dc=\xff"});
    EXPECT_EQ(property.exit_code, 2) << property.err;
    EXPECT_NE(property.err.find("the argument VALUE of `property set` is not valid UTF-8"),
              std::string::npos)
        << property.err;
    const auto send = cli({"mail", "send", "--from", "support@example.test", "--to",
                           "carl@customer.test", "--subject", "\xff", "--body", "x"});
    EXPECT_EQ(send.exit_code, 2) << send.err;
    EXPECT_NE(send.err.find("the value of --subject of `mail send`"), std::string::npos)
        << send.err;
    const auto account =
        cli({"account", "add", "support", "--url", "imap://127.0.0.1:1/INBOX", "--user",
             "us\xff"
             "er"});
    EXPECT_EQ(account.exit_code, 2) << account.err;
    EXPECT_NE(account.err.find("--user"), std::string::npos) << account.err;
    // Overlong forms and surrogates are not UTF-8 either.
    EXPECT_EQ(cli({"property", "set", "cmas-core-server", "ldap.certificate.basedn", "\xc0\xaf"})
                  .exit_code,
              2);
    EXPECT_EQ(
        cli({"property", "set", "cmas-core-server", "ldap.certificate.basedn", "\xed\xa0\x80"})
            .exit_code,
        2);

    // Nor can it come in through a file or standard input.
    std::ofstream(m_dir.path() / "latin1") << "dc=M\xfcller\n";
    const auto from_file = cli({"property", "set", "cmas-core-server", "ldap.certificate.basedn",
                                "--value-file", (m_dir.path() / "latin1").string()});
    EXPECT_EQ(from_file.exit_code, 3) << from_file.err;
    EXPECT_NE(from_file.err.find("not valid UTF-8"), std::string::npos) << from_file.err;
    std::ofstream(m_dir.path() / "body") << "Gr\xfc\xdf"
                                            "e\n";
    const auto body =
        cli({"mail", "send", "--from", "support@example.test", "--to", "carl@customer.test",
             "--subject", "s", "--body-file", (m_dir.path() / "body").string()});
    EXPECT_EQ(body.exit_code, 3) << body.err;

    // Nothing of it was stored; valid UTF-8 still is.
    EXPECT_EQ(cli({"property", "get", "cmas-core-server", "ldap.certificate.basedn"}).out, "\n");
    EXPECT_TRUE(json({"outbox", "list", "--json"}).empty());
    EXPECT_EQ(json({"account", "list", "--json"}).size(), 1u);
    EXPECT_EQ(
        cli({"property", "set", "cmas-core-server", "ldap.certificate.basedn", "dc=M\xc3\xbcller"})
            .exit_code,
        0);
}

TEST_F(InputEdges, JsonListingsDoNotAbortOnInvalidUtf8AlreadyStored) {
    // One of each: a property value, an outbox copy, a ticket with a mail, an account.
    ASSERT_EQ(
        cli({"property", "set", "cmas-core-server", "ldap.certificate.basedn", "dc=x"}).exit_code,
        0);
    ASSERT_EQ(cli({"mail", "send", "--from", "support@example.test", "--to", "carl@customer.test",
                   "--subject", "queued", "--body", "x"})
                  .exit_code,
              0);
    ASSERT_EQ(
        cli({"account", "add", "support", "--url", "imap://127.0.0.1:1/INBOX", "--user", "user"})
            .exit_code,
        0);
    fs::create_directories(data() / "mail" / "incoming");
    std::ofstream(data() / "mail" / "incoming" / "m.eml")
        << "From: Carl <carl@customer.test>\nTo: support@example.test\nSubject: hello\n"
           "Message-ID: <m1@customer.test>\nDate: Sat, 28 Nov 2026 08:00:00 +0000\n\nHi\n";
    ASSERT_EQ(cli({"mail", "fetch", "--account", "local"}).exit_code, 0);

    // What an older casecrypt (or another writer of the database) may have stored.
    sql("UPDATE properties SET value = CAST(X'64633DFF' AS TEXT) WHERE name = "
        "'ldap.certificate.basedn';"
        "UPDATE outbox SET subject = CAST(X'FF' AS TEXT), recipients = CAST(X'61FE' AS TEXT);"
        "UPDATE mail_accounts SET username = CAST(X'7573FF6572' AS TEXT) WHERE name = 'support';"
        "UPDATE tickets SET subject = CAST(X'68C3' AS TEXT), customer = CAST(X'FF' AS TEXT);"
        "UPDATE ticket_messages SET subject = CAST(X'FF' AS TEXT), body_text = "
        "CAST(X'48FF69' AS TEXT), from_address = CAST(X'FF' AS TEXT), "
        "to_addresses = CAST(X'5B22FF225D' AS TEXT);");

    const std::string replacement = "\xef\xbf\xbd";  // U+FFFD
    const auto properties = json({"property", "list", "--json"});
    ASSERT_TRUE(properties.is_array());
    bool found = false;
    for (const auto& p : properties) {
        if (p["name"] == "ldap.certificate.basedn") {
            found = true;
            EXPECT_EQ(p["value"], "dc=" + replacement);
        }
    }
    EXPECT_TRUE(found);
    const auto outbox = json({"outbox", "list", "--json"});
    ASSERT_EQ(outbox.size(), 1u);
    EXPECT_EQ(outbox[0]["subject"], replacement);
    const auto accounts = json({"account", "list", "--json"});
    ASSERT_EQ(accounts.size(), 2u);
    EXPECT_EQ(accounts[1]["user"], "us" + replacement + "er");
    const auto tickets = json({"ticket", "list", "--json"});
    ASSERT_EQ(tickets.size(), 1u);
    const auto number = std::to_string(tickets[0]["number"].get<long long>());
    const auto shown = json({"ticket", "show", number, "--json"});
    ASSERT_TRUE(shown.is_object());
    EXPECT_EQ(shown["messages"][0]["subject"], replacement);
    EXPECT_TRUE(shown["messages"][0]["to"].is_null()) << "a JSON column that no longer parses";
    // The plain listings print what is there without dying either.
    for (const auto& args : std::vector<std::vector<std::string>>{{"ticket", "show", number},
                                                                  {"ticket", "list"},
                                                                  {"outbox", "list"},
                                                                  {"property", "list"},
                                                                  {"account", "list"}}) {
        const auto r = cli(args);
        EXPECT_FALSE(r.signaled) << args[0] << " " << args[1];
        EXPECT_EQ(r.exit_code, 0) << args[0] << " " << args[1] << ": " << r.err;
    }
}

}  // namespace
}  // namespace casecrypt::test
