// Trust anchors as certificates an admin can see (issue 10): `cert list --kind ca` (table and
// JSON), `cert show` and `cert remove` of a CA, ids unique across kinds so a removal never hits
// the wrong kind, `cert import-client` of a CA naming `cert import-ca`, one of our own server
// certificates offered as a client certificate kept once, and a missing input file being an I/O
// error (exit 1) for every import.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "support/openssl_cli.h"
#include "support/run_cli.h"

namespace casecrypt::test {
namespace {

std::string fixture(const std::string& name) {
    return (fixtures_dir() / name).string();
}

class CaCertificates : public ::testing::Test {
protected:
    CliResult cli(std::vector<std::string> args) {
        args.insert(args.begin(), {"--data-dir", (m_dir.path() / "data").string()});
        return run_cli(args);
    }
    nlohmann::json list(const std::string& kind = {}) {
        std::vector<std::string> args = {"cert", "list", "--json"};
        if (!kind.empty()) {
            args.insert(args.end(), {"--kind", kind});
        }
        const auto r = cli(args);
        EXPECT_EQ(r.exit_code, 0) << r.err;
        return nlohmann::json::parse(r.out);
    }
    std::string openssl_fingerprint(const std::string& pem) {
        std::string out = shell("openssl x509 -noout -fingerprint -sha256 -in " + quote(pem) +
                                " | sed 's/.*=//; s/://g' | tr A-F a-f");
        while (!out.empty() && (out.back() == '\n' || out.back() == '\r'))
            out.pop_back();
        return out;
    }
    void import_server() {
        const auto r = cli({"cert", "import-server", fixture("server/ok-aes256.p12"),
                            "--password-file=" + fixture("server/ok-aes256.pass")});
        ASSERT_EQ(r.exit_code, 0) << r.err;
    }

    TempDir m_dir;
};

TEST_F(CaCertificates, ListKindCaShowsTrustAnchorsInTableAndJsonWithTheSameFields) {
    ASSERT_EQ(cli({"cert", "import-ca", fixture("ca/ca.pem")}).exit_code, 0);
    ASSERT_EQ(cli({"cert", "import-client", fixture("client/ok-rsa2048-dn-email.pem")}).exit_code,
              0);

    const auto cas = list("ca");
    ASSERT_EQ(cas.size(), 1u) << cas.dump();
    const auto& ca = cas.at(0);
    EXPECT_EQ(ca["kind"], "ca");
    EXPECT_EQ(ca["fingerprint_sha256"], openssl_fingerprint(fixture("ca/ca.pem")));
    EXPECT_EQ(ca["has_private_key"], false);
    EXPECT_EQ(ca["status"], "valid");
    EXPECT_TRUE(ca["addresses"].is_array());
    // The same fields as any other certificate.
    const auto all = list();
    ASSERT_EQ(all.size(), 2u);
    std::set<std::string> ca_keys, client_keys;
    for (const auto& [key, value] : ca.items())
        ca_keys.insert(key);
    for (const auto& c : all) {
        if (c["kind"] == "client")
            for (const auto& [key, value] : c.items())
                client_keys.insert(key);
    }
    EXPECT_EQ(ca_keys, client_keys);
    EXPECT_EQ(list("client").size(), 1u);

    const auto table = cli({"cert", "list", "--kind", "ca"});
    ASSERT_EQ(table.exit_code, 0) << table.err;
    EXPECT_NE(table.out.find("KIND"), std::string::npos) << table.out;
    EXPECT_NE(table.out.find(" ca "), std::string::npos) << table.out;
    EXPECT_EQ(table.out.find("client"), std::string::npos) << table.out;
}

TEST_F(CaCertificates, ShowAndRemoveWorkOnATrustAnchor) {
    ASSERT_EQ(cli({"cert", "import-ca", fixture("ca/ca.pem")}).exit_code, 0);
    const std::string id = std::to_string(list("ca").at(0)["id"].get<long long>());

    const auto shown = cli({"cert", "show", id, "--json"});
    ASSERT_EQ(shown.exit_code, 0) << shown.err;
    const auto object = nlohmann::json::parse(shown.out);
    EXPECT_EQ(object["kind"], "ca");
    EXPECT_FALSE(object["serial"].get<std::string>().empty());
    EXPECT_TRUE(object["chain"].is_array());

    const auto removed = cli({"cert", "remove", id});
    ASSERT_EQ(removed.exit_code, 0) << removed.err;
    EXPECT_NE(removed.out.find("removed ca certificate " + id), std::string::npos) << removed.out;
    EXPECT_TRUE(list("ca").empty());
    EXPECT_EQ(cli({"cert", "show", id}).exit_code, 3);  // not found
}

TEST_F(CaCertificates, IdsAreUniqueAcrossKindsSoARemovalHitsOnlyItsOwnCertificate) {
    ASSERT_EQ(cli({"cert", "import-client", fixture("client/ok-rsa2048-dn-email.pem")}).exit_code,
              0);
    ASSERT_EQ(cli({"cert", "import-ca", fixture("ca/ca.pem")}).exit_code, 0);
    import_server();
    std::set<long long> ids;
    for (const auto& c : list())
        ids.insert(c["id"].get<long long>());
    EXPECT_EQ(ids.size(), 3u);

    const long long client_id = list("client").at(0)["id"];
    ASSERT_EQ(cli({"cert", "remove", std::to_string(client_id)}).exit_code, 0);
    EXPECT_EQ(list("ca").size(), 1u);
    EXPECT_EQ(list("server").size(), 1u);
    EXPECT_TRUE(list("client").empty());
    // Removing the same id again is "not found", never another kind's certificate.
    const auto again = cli({"cert", "remove", std::to_string(client_id)});
    EXPECT_EQ(again.exit_code, 3) << again.err;  // not found
    EXPECT_NE(again.err.find("no certificate with id"), std::string::npos) << again.err;
    EXPECT_EQ(list().size(), 2u);
}

TEST_F(CaCertificates, ImportClientOfACaIsRefusedNamingImportCa) {
    const auto r = cli({"cert", "import-client", fixture("ca/ca.pem")});
    EXPECT_EQ(r.exit_code, 3) << r.err;
    EXPECT_NE(r.err.find("is a CA certificate"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("trust anchor"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("cert import-ca"), std::string::npos) << r.err;
    EXPECT_TRUE(list().empty());
}

TEST_F(CaCertificates, OwnServerCertificateImportedAsClientKeepsOneEntryAndSaysSo) {
    import_server();
    const std::string pem = (m_dir.path() / "own.pem").string();
    shell("openssl pkcs12 -in " + quote(fixture("server/ok-aes256.p12")) + " -passin file:" +
          quote(fixture("server/ok-aes256.pass")) + " -nokeys -clcerts -out " + quote(pem));
    const auto r = cli({"cert", "import-client", pem});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("already in the store as server certificate"), std::string::npos) << r.out;
    const auto all = list();
    ASSERT_EQ(all.size(), 1u) << all.dump();
    EXPECT_EQ(all.at(0)["kind"], "server");
}

TEST_F(CaCertificates, AMissingInputFileIsAnIoErrorForEveryImport) {
    const std::string missing = (m_dir.path() / "missing.pem").string();
    for (const std::vector<std::string>& args :
         {std::vector<std::string>{"cert", "import-client", missing},
          std::vector<std::string>{"cert", "import-server", missing},
          std::vector<std::string>{"cert", "import-ca", missing}}) {
        const auto r = cli(args);
        EXPECT_EQ(r.exit_code, 1) << args[1] << ": " << r.err;
        EXPECT_NE(r.err.find("cannot read " + missing + ": No such file or directory"),
                  std::string::npos)
            << r.err;
    }
}

// `mail encrypt --cert/--in` and `mail decrypt --p12/--in` naming a file that is not there: an
// I/O error, exit 1, like the imports.
TEST_F(CaCertificates, MailEncryptAndDecryptWithAMissingFileAreExit1) {
    const std::string missing = (m_dir.path() / "missing").string();
    const std::string message = (m_dir.path() / "m.eml").string();
    std::ofstream(message) << "From: a@x.test\r\nTo: b@x.test\r\nSubject: s\r\n\r\nbody\r\n";
    const std::string cert = fixture("client/ok-rsa2048-dn-email.pem");
    for (const std::vector<std::string>& args :
         {std::vector<std::string>{"mail", "encrypt", "--cert", missing, "--in", message},
          std::vector<std::string>{"mail", "encrypt", "--cert", cert, "--in", missing},
          std::vector<std::string>{"mail", "decrypt", "--p12", missing, "--in", message},
          std::vector<std::string>{"mail", "decrypt", "--in", missing}}) {
        const auto r = cli(args);
        EXPECT_EQ(r.exit_code, 1) << args[1] << " " << args[2] << ": " << r.err;
        EXPECT_NE(r.err.find("cannot read " + missing + ": No such file or directory"),
                  std::string::npos)
            << r.err;
    }
}

// One cipher is written one way: what mail decrypt reports is the name --cipher takes.
TEST_F(CaCertificates, MailDecryptReportsTheCipherByTheNameOfCipherOption) {
    import_server();
    const std::string own = (m_dir.path() / "own.pem").string();
    shell("openssl pkcs12 -in " + quote(fixture("server/ok-aes256.p12")) + " -passin file:" +
          quote(fixture("server/ok-aes256.pass")) + " -nokeys -clcerts -out " + quote(own));
    const std::string message = (m_dir.path() / "m.eml").string();
    std::ofstream(message) << "From: a@x.test\r\nTo: b@x.test\r\nSubject: s\r\n\r\nbody\r\n";
    for (const std::string cipher : {"aes-256-gcm", "aes-128-cbc"}) {
        const std::string encrypted = (m_dir.path() / (cipher + ".eml")).string();
        const auto e = cli({"mail", "encrypt", "--cert", own, "--cipher", cipher, "--in", message,
                            "--out", encrypted});
        ASSERT_EQ(e.exit_code, 0) << e.err;
        const auto d = cli({"mail", "decrypt", "--in", encrypted, "--json"});
        ASSERT_EQ(d.exit_code, 0) << d.err;
        EXPECT_EQ(nlohmann::json::parse(d.out)["content_cipher"], cipher) << d.out;
        EXPECT_NE(d.err.find("decrypted (" + cipher), std::string::npos) << d.err;
    }
}

// Issue 10: every command's --help describes its arguments and ends with an example.
TEST(CommandHelp, EachCertPropertyAndMailCryptoCommandEndsWithAnExample) {
    const std::vector<std::vector<std::string>> commands = {
        {"cert", "import-server"}, {"cert", "import-client"}, {"cert", "import-ca"},
        {"cert", "list"},          {"cert", "show"},          {"cert", "remove"},
        {"cert", "resolve"},       {"property", "list"},      {"property", "get"},
        {"property", "set"},       {"mail", "encrypt"},       {"mail", "decrypt"}};
    for (auto args : commands) {
        const std::string name = args[0] + " " + args[1];
        args.push_back("--help");
        const auto r = run_cli(args);
        EXPECT_EQ(r.exit_code, 0) << name << ": " << r.err;
        const auto example = r.out.rfind("Example");
        ASSERT_NE(example, std::string::npos) << name << ":\n" << r.out;
        EXPECT_NE(r.out.find("casecrypt " + name, example), std::string::npos) << name << ":\n"
                                                                               << r.out;
    }
}

}  // namespace
}  // namespace casecrypt::test
