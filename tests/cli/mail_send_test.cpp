// `casecrypt mail send` on the embedded default (no SMTP server configured): each copy is
// written to <data-dir>/mail/outgoing/<outbox id>.eml, and the outbox says it was sent.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "support/openssl_cli.h"
#include "support/run_cli.h"

namespace casecrypt::test {
namespace {

std::string slurp(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

TEST(MailSend, TheEmbeddedDefaultWritesEachCopyToTheOutgoingDirectory) {
    TempDir dir;
    const std::string data = (dir.path() / "data").string();
    const auto fx = [](const std::string& p) { return (fixtures_dir() / p).string(); };
    ASSERT_EQ(run_cli({"--data-dir", data, "property", "set", "cmas-core-server", "mail.encryption",
                       "true"})
                  .exit_code,
              0);
    ASSERT_EQ(
        run_cli({"--data-dir", data, "cert", "import-client", fx("client/ok-rsa2048-dn-email.pem")})
            .exit_code,
        0);
    std::ofstream(dir.path() / "note.txt") << "an attachment\n";
    const auto sent = run_cli({"--data-dir", data, "mail", "send", "--from", "support@example.test",
                               "--to", "alice@example.test", "--subject",
                               "Gr\xc3\xbc\xc3\x9f"
                               "e",
                               "--body", "Hello Alice.", "--attach",
                               (dir.path() / "note.txt").string(), "--json"});
    ASSERT_EQ(sent.exit_code, 0) << sent.err;
    const auto report = nlohmann::json::parse(sent.out);
    EXPECT_TRUE(report["encrypted"].get<bool>());
    EXPECT_EQ(report["recipients"][0]["certificate"]["source"], "store");
    const auto id = std::to_string(report["outbox_ids"][0].get<long long>());
    const auto file = dir.path() / "data" / "mail" / "outgoing" / (id + ".eml");
    ASSERT_TRUE(std::filesystem::exists(file)) << file;
    const std::string mail = slurp(file);
    EXPECT_NE(mail.find("Subject: =?UTF-8?"), std::string::npos) << "RFC 2047 subject";
    const std::string opened = shell("openssl cms -decrypt -in " + quote(file.string()) +
                                     " -recip " + quote(fx("client/ok-rsa2048-dn-email.pem")) +
                                     " -inkey " + quote(fx("keys/alice.key")));
    EXPECT_NE(opened.find("Hello Alice."), std::string::npos) << opened;
    EXPECT_NE(opened.find("filename=note.txt"), std::string::npos) << opened;
    const auto outbox =
        nlohmann::json::parse(run_cli({"--data-dir", data, "outbox", "list", "--json"}).out);
    ASSERT_EQ(outbox.size(), 1u);
    EXPECT_EQ(outbox[0]["state"], "sent");
}

}  // namespace
}  // namespace casecrypt::test
