// The master key end to end: a missing key for a database with sealed data is refused and not
// remade, a wrong key is exit 1 before anything is unsealed or sealed, and the key check value
// kept in the database is written for databases from before it (docs/certificates.md).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/openssl_cli.h"
#include "support/run_cli.h"

namespace casecrypt::test {
namespace {

namespace fs = std::filesystem;

std::string fixture(const std::string& name) {
    return (fixtures_dir() / name).string();
}

class MasterKey : public ::testing::Test {
protected:
    CliResult cli(std::vector<std::string> args, const std::string& stdin_data = {}) {
        args.insert(args.begin(), {"--data-dir", data().string()});
        return run_cli(args, stdin_data);
    }
    fs::path data() const { return m_dir.path() / "data"; }
    fs::path key() const { return data() / "master.key"; }
    std::string sql(const std::string& statement) {
        return shell("sqlite3 " + quote((data() / "casecrypt.db").string()) + " " +
                     quote(statement));
    }
    void import_server() {
        const auto r = cli({"cert", "import-server", fixture("server/ok-aes256.p12"),
                            "--password-file", fixture("server/ok-aes256.pass")});
        ASSERT_EQ(r.exit_code, 0) << r.err;
    }
    // Another valid master key, made by openssl.
    void replace_key_with_another() {
        shell("openssl rand -base64 32 > " + quote(key().string()) + " && chmod 600 " +
              quote(key().string()));
    }

    TempDir m_dir;
};

TEST_F(MasterKey, MissingMasterKeyWithSealedDataRefusesToStart) {
    import_server();
    ASSERT_TRUE(fs::remove(key()));
    for (const auto& args : std::vector<std::vector<std::string>>{
             {"cert", "list"},
             {"cert", "import-server", fixture("server/ok-aes256.p12"), "--password-file",
              fixture("server/ok-aes256.pass")}}) {
        const auto r = cli(args);
        EXPECT_EQ(r.exit_code, 1) << r.err;
        EXPECT_NE(r.err.find(key().string()), std::string::npos) << r.err;
        EXPECT_NE(r.err.find("is missing"), std::string::npos) << r.err;
        EXPECT_NE(r.err.find("1 server private key sealed"), std::string::npos) << r.err;
        EXPECT_FALSE(fs::exists(key())) << "a new master key was made for sealed data";
    }
}

TEST_F(MasterKey, MissingMasterKeyWithASealedAccountPasswordOrSecretPropertyRefusesToStart) {
    ASSERT_EQ(cli({"account", "add", "support", "--url", "imap://127.0.0.1:1/INBOX", "--user", "u",
                   "--password-stdin"},
                  "pw\n")
                  .exit_code,
              0);
    ASSERT_EQ(cli({"property", "set", "cmas-core-server", "mail.transport.password", "smtp-secret"})
                  .exit_code,
              0);
    // Without the check value too: the sealed values alone forbid a new key.
    sql("DELETE FROM installation_facts WHERE name = 'master_key_check_value'");
    ASSERT_TRUE(fs::remove(key()));
    const auto r = cli({"property", "list"});
    EXPECT_EQ(r.exit_code, 1) << r.err;
    EXPECT_NE(r.err.find("1 mail account password and 1 secret property"), std::string::npos)
        << r.err;
    EXPECT_FALSE(fs::exists(key()));
}

TEST_F(MasterKey, MissingMasterKeyForADatabaseWithACheckValueRefusesToStart) {
    ASSERT_EQ(cli({"cert", "list"}).exit_code, 0);
    EXPECT_EQ(sql("SELECT COUNT(*) FROM installation_facts WHERE name = "
                  "'master_key_check_value'"),
              "1\n");
    ASSERT_TRUE(fs::remove(key()));
    const auto r = cli({"cert", "list"});
    EXPECT_EQ(r.exit_code, 1) << r.err;
    EXPECT_NE(r.err.find("check value"), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(key()));
}

TEST_F(MasterKey, WrongMasterKeyIsExit1NotRejected) {
    import_server();
    replace_key_with_another();
    const auto listed = cli({"cert", "list"});
    EXPECT_EQ(listed.exit_code, 1) << listed.err;
    EXPECT_NE(listed.err.find("is not this database's master key"), std::string::npos)
        << listed.err;
    EXPECT_NE(listed.err.find(key().string()), std::string::npos) << listed.err;
    // Decrypting with the store's keys used to be where a wrong key showed, as exit 3.
    const auto decrypted = cli({"mail", "decrypt", "--in", fixture("smime/01-aes256-cbc.eml")});
    EXPECT_EQ(decrypted.exit_code, 1) << decrypted.err;
}

TEST_F(MasterKey, WrongMasterKeyForADatabaseWithoutCheckValueIsExit1) {
    import_server();
    sql("DELETE FROM installation_facts WHERE name = 'master_key_check_value'");
    replace_key_with_another();
    const auto r = cli({"cert", "list"});
    EXPECT_EQ(r.exit_code, 1) << r.err;
    EXPECT_NE(r.err.find("opens none of the sealed values"), std::string::npos) << r.err;
    EXPECT_EQ(sql("SELECT COUNT(*) FROM installation_facts WHERE name = "
                  "'master_key_check_value'"),
              "0\n")
        << "a check value was written for a key that opens nothing";
}

TEST_F(MasterKey, ADatabaseWithoutCheckValueGetsItWhenTheKeyOpensTheSealedData) {
    import_server();
    const std::string before =
        sql("SELECT value FROM installation_facts WHERE name = "
            "'master_key_check_value'");
    EXPECT_TRUE(before.starts_with("hmac-sha256:")) << before;
    sql("DELETE FROM installation_facts WHERE name = 'master_key_check_value'");
    const auto r = cli({"cert", "list"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(sql("SELECT value FROM installation_facts WHERE name = 'master_key_check_value'"),
              before)
        << "the check value is the same for the same key";
}

TEST_F(MasterKey, DamagedSealedDataWithTheRightKeyIsCalledDamage) {
    import_server();
    // One base64 character of the ciphertext changed: still base64, no longer opens.
    sql("UPDATE certificates SET sealed_private_key = substr(sealed_private_key, 1, 40) || "
        "(CASE substr(sealed_private_key, 41, 1) WHEN 'A' THEN 'B' ELSE 'A' END) || "
        "substr(sealed_private_key, 42) WHERE sealed_private_key IS NOT NULL");
    const auto decrypted = cli({"mail", "decrypt", "--in", fixture("smime/01-aes256-cbc.eml")});
    EXPECT_NE(decrypted.exit_code, 0);
    EXPECT_NE(decrypted.err.find("damaged"), std::string::npos) << decrypted.err;
    EXPECT_EQ(decrypted.err.find("wrong master key"), std::string::npos) << decrypted.err;
}

}  // namespace
}  // namespace casecrypt::test
