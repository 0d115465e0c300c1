// What comes in at the command line's edges: secrets off the command line (--value-file,
// --value-stdin) and a bounded standard input for every secret.
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

}  // namespace
}  // namespace casecrypt::test
