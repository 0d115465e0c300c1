// `casecrypt property ...` end to end.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/run_cli.h"

namespace casecrypt::test {
namespace {

class PropertyCommands : public ::testing::Test {
protected:
    CliResult cli(std::vector<std::string> args) {
        args.insert(args.begin(), {"--data-dir", (m_dir.path() / "data").string()});
        return run_cli(args);
    }
    TempDir m_dir;
};

TEST_F(PropertyCommands, MailEncryptionIsRegisteredWithDefaultFalse) {
    const auto get = cli({"property", "get", "cmas-core-server", "mail.encryption"});
    EXPECT_EQ(get.exit_code, 0) << get.err;
    EXPECT_EQ(get.out, "false\n");
    const auto list = nlohmann::json::parse(cli({"property", "list", "--json"}).out);
    bool found = false;
    for (const auto& p : list) {
        if (p["module"] == "cmas-core-server" && p["name"] == "mail.encryption") {
            found = true;
            EXPECT_EQ(p["value"], "false");
            EXPECT_EQ(p["default"], "false");
            EXPECT_FALSE(p["description"].get<std::string>().empty());
        }
    }
    EXPECT_TRUE(found);
}

TEST_F(PropertyCommands, SetPersistsAndIsNormalised) {
    EXPECT_EQ(cli({"property", "set", "cmas-core-server", "mail.encryption", "TRUE"}).exit_code, 0);
    EXPECT_EQ(cli({"property", "get", "cmas-core-server", "mail.encryption"}).out, "true\n");
    const auto plain = cli({"property", "list"});
    EXPECT_NE(plain.out.find("cmas-core-server / mail.encryption = true"), std::string::npos)
        << plain.out;
}

TEST_F(PropertyCommands, UnknownPropertiesAndWrongTypesAreRejected) {
    const auto unknown = cli({"property", "set", "cmas-core-server", "mail.encryptio", "true"});
    EXPECT_EQ(unknown.exit_code, 3);
    EXPECT_TRUE(unknown.err.starts_with("error: unknown property")) << unknown.err;
    const auto wrong_module = cli({"property", "get", "cmas-nimh", "mail.encryption"});
    EXPECT_EQ(wrong_module.exit_code, 3);
    const auto wrong_type = cli({"property", "set", "cmas-core-server", "mail.encryption", "yes"});
    EXPECT_EQ(wrong_type.exit_code, 3);
    EXPECT_NE(wrong_type.err.find("not a boolean"), std::string::npos) << wrong_type.err;
    EXPECT_EQ(cli({"property", "get", "cmas-core-server", "mail.encryption"}).out, "false\n");
    EXPECT_EQ(cli({"property", "set", "cmas-core-server", "mail.encryption"}).exit_code, 2);
}

}  // namespace
}  // namespace casecrypt::test
