// Opening the database: the schema is migrated once (the first command on an empty database),
// later commands only read its version, and no server notice reaches the user's terminal. Before
// issue 10 every command on PostgreSQL printed `NOTICE: relation "schema_migrations" already
// exists, skipping` on stderr (CREATE TABLE IF NOT EXISTS at each open).
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "support/openssl_cli.h"
#include "support/run_cli.h"

namespace casecrypt::test {
namespace {

std::string fixture(const std::string& name) {
    return (fixtures_dir() / name).string();
}

std::string postgres_url() {
    const char* file = std::getenv("CASECRYPT_TEST_PG_URL_FILE");
    std::ifstream in(file != nullptr ? file : "");
    std::string url;
    std::getline(in, url);
    return url;
}

void empty_postgres(const std::string& url) {
    shell("psql -q " + quote(url) +
          " -c 'DROP SCHEMA public CASCADE; CREATE SCHEMA public;' >/dev/null 2>&1");
}

class DatabaseOpen : public ::testing::Test {
public:
    // A command on the data directory, on `database` when it is not empty.
    CliResult on(const std::string& database, std::vector<std::string> args) {
        args.insert(args.begin(), {"--data-dir", (m_dir.path() / "data").string()});
        if (!database.empty()) {
            args.insert(args.begin() + 2, {"--database", database});
        }
        return run_cli(args);
    }

    // Two commands that start at once on an empty database: one migrates, the other waits for
    // it (PostgreSQL advisory lock, SQLite BEGIN IMMEDIATE) and then finds the schema ready.
    void expect_two_first_commands_both_work(const std::string& database) {
        CliResult a, b;
        std::thread other([&] { a = on(database, {"cert", "list", "--json"}); });
        b = on(database, {"cert", "list", "--json"});
        other.join();
        for (const CliResult* r : {&a, &b}) {
            EXPECT_EQ(r->exit_code, 0) << r->err;
            EXPECT_EQ(r->err, "");
            EXPECT_TRUE(nlohmann::json::parse(r->out).empty()) << r->out;
        }
    }

private:
    TempDir m_dir;
};

TEST_F(DatabaseOpen, NoServerNoticeReachesTheUserOnPostgresql) {
    const std::string url = postgres_url();
    ASSERT_FALSE(url.empty()) << "the postgres fixture did not start";
    empty_postgres(url);

    const auto first = on(url, {"cert", "import-client", fixture("client/ok-dn-and-san.pem")});
    ASSERT_EQ(first.exit_code, 0) << first.err;
    const auto second = on(url, {"cert", "list", "--json"});
    ASSERT_EQ(second.exit_code, 0) << second.err;
    EXPECT_EQ(nlohmann::json::parse(second.out).size(), 1u);
    const auto third = on(url, {"property", "list"});
    EXPECT_EQ(third.exit_code, 0) << third.err;

    for (const CliResult* r : {&first, &second, &third}) {
        EXPECT_EQ(r->err.find("NOTICE"), std::string::npos) << r->err;
        EXPECT_EQ(r->err.find("already exists"), std::string::npos) << r->err;
    }
    // Migrated once: no version applied twice.
    EXPECT_EQ(shell("psql -At " + quote(url) +
                    " -c 'SELECT COUNT(*) = COUNT(DISTINCT version) FROM schema_migrations'"),
              "t\n");
}

TEST_F(DatabaseOpen, TwoFirstCommandsOnOneEmptyPostgresqlDatabaseBothWork) {
    const std::string url = postgres_url();
    ASSERT_FALSE(url.empty()) << "the postgres fixture did not start";
    empty_postgres(url);
    expect_two_first_commands_both_work(url);
}

TEST_F(DatabaseOpen, TwoFirstCommandsOnOneEmptySqliteDataDirectoryBothWork) {
    expect_two_first_commands_both_work("");
}

}  // namespace
}  // namespace casecrypt::test
