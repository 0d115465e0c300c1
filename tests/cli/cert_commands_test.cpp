// `casecrypt cert ...` end to end: duplicates, listing, showing, removing, the master key, the
// usage errors, the PostgreSQL backend, and that no private key is ever in the store in clear.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>

#include "support/openssl_cli.h"
#include "support/run_cli.h"

namespace casecrypt::test {
namespace {

std::string fixture(const std::string& name) {
    return (fixtures_dir() / name).string();
}

class CertCommands : public ::testing::Test {
protected:
    CliResult cli(std::vector<std::string> args, const std::string& stdin_data = {}) {
        args.insert(args.begin(), {"--data-dir", data()});
        return run_cli(args, stdin_data);
    }
    std::string data() const { return (m_dir.path() / "data").string(); }
    nlohmann::json list() {
        const auto r = cli({"cert", "list", "--json"});
        EXPECT_EQ(r.exit_code, 0) << r.err;
        return nlohmann::json::parse(r.out);
    }

    TempDir m_dir;
};

TEST_F(CertCommands, ImportingTheSameCertificateTwiceKeepsOneCopyAndSaysSo) {
    ASSERT_EQ(cli({"cert", "import-client", fixture("client/ok-rsa2048-dn-email.pem")}).exit_code,
              0);
    // The DER form of the same certificate is the same certificate.
    const auto again = cli({"cert", "import-client", fixture("client/ok-rsa2048-dn-email.cer")});
    EXPECT_EQ(again.exit_code, 0) << again.err;
    EXPECT_NE(again.out.find("already in the store"), std::string::npos) << again.out;
    EXPECT_EQ(list().size(), 1u);

    const std::string password = "--password-file=" + fixture("server/ok-aes256.pass");
    ASSERT_EQ(cli({"cert", "import-server", fixture("server/ok-aes256.p12"), password}).exit_code,
              0);
    const auto twice = cli({"cert", "import-server", fixture("server/ok-aes256.p12"), password});
    EXPECT_EQ(twice.exit_code, 0) << twice.err;
    EXPECT_NE(twice.out.find("already in the store"), std::string::npos) << twice.out;
    EXPECT_EQ(list().size(), 2u);
}

TEST_F(CertCommands, ListJsonCarriesTheDocumentedFieldsWithValuesFromOpenssl) {
    const std::string pem = fixture("client/ok-rsa2048-dn-email.pem");
    ASSERT_EQ(cli({"cert", "import-client", pem}).exit_code, 0);
    const auto all = list();
    ASSERT_EQ(all.size(), 1u);
    const auto& c = all[0];
    for (const char* field :
         {"id", "kind", "addresses", "subject", "issuer", "serial", "not_before", "not_after",
          "fingerprint_sha256", "key", "source", "status"}) {
        EXPECT_TRUE(c.contains(field)) << field;
    }
    EXPECT_EQ(c["kind"], "client");
    EXPECT_EQ(c["source"], "file");
    EXPECT_EQ(c["status"], "valid");
    EXPECT_EQ(c["key"], "RSA 2048");
    EXPECT_EQ(c["addresses"], nlohmann::json::array({"alice@example.test"}));
    EXPECT_FALSE(c.contains("private_key"));

    // The facts must agree with what openssl itself reads from the file.
    std::string fingerprint = shell("openssl x509 -noout -fingerprint -sha256 -in " + quote(pem));
    fingerprint = fingerprint.substr(fingerprint.find('=') + 1);
    std::string expected_fp;
    for (char ch : fingerprint) {
        if (std::isxdigit(static_cast<unsigned char>(ch))) {
            expected_fp += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        }
    }
    EXPECT_EQ(c["fingerprint_sha256"], expected_fp);
    std::string serial = shell("openssl x509 -noout -serial -in " + quote(pem));
    serial = serial.substr(serial.find('=') + 1);
    serial.erase(serial.find_last_not_of("\r\n") + 1);
    EXPECT_EQ(c["serial"], serial);
    const std::string end = shell("date -u -d \"$(openssl x509 -noout -enddate -in " + quote(pem) +
                                  " | cut -d= -f2)\" +%Y-%m-%dT%H:%M:%SZ");
    EXPECT_EQ(c["not_after"].get<std::string>() + "\n", end);
    EXPECT_NE(c["subject"].get<std::string>().find("E=alice@example.test"), std::string::npos)
        << c["subject"];
}

TEST_F(CertCommands, PlainListIsATableWithTheColumnsAnAdminScans) {
    ASSERT_EQ(cli({"cert", "import-client", fixture("client/ok-rsa2048-dn-email.pem")}).exit_code,
              0);
    const auto r = cli({"cert", "list"});
    ASSERT_EQ(r.exit_code, 0);
    for (const char* column : {"ADDRESSES", "SERIAL", "VALID FROM", "VALID TO", "STATUS"}) {
        EXPECT_NE(r.out.find(column), std::string::npos) << column << " in\n" << r.out;
    }
    EXPECT_NE(r.out.find("alice@example.test"), std::string::npos);
    EXPECT_NE(r.out.find("valid"), std::string::npos);
}

TEST_F(CertCommands, ListFiltersByKindAndShowsExpiredServerCertificatesAsExpired) {
    ASSERT_EQ(
        cli({"cert", "import-client", fixture("client/ok-ec-p256-keyagreement.pem")}).exit_code, 0);
    const auto expired = cli({"cert", "import-server", fixture("server/ok-expired.p12"),
                              "--password-file", fixture("server/ok-expired.pass")});
    ASSERT_EQ(expired.exit_code, 0) << expired.err;
    EXPECT_NE(expired.err.find("never be used to encrypt"), std::string::npos) << expired.err;
    const auto servers = cli({"cert", "list", "--kind", "server", "--json"});
    const auto parsed = nlohmann::json::parse(servers.out);
    ASSERT_EQ(parsed.size(), 1u);
    EXPECT_EQ(parsed[0]["status"], "expired");
    EXPECT_EQ(parsed[0]["kind"], "server");
    const auto clients =
        nlohmann::json::parse(cli({"cert", "list", "--kind", "client", "--json"}).out);
    ASSERT_EQ(clients.size(), 1u);
    EXPECT_EQ(clients[0]["key"], "EC P-256");
}

TEST_F(CertCommands, ShowAndRemove) {
    ASSERT_EQ(cli({"cert", "import-server", fixture("server/ok-with-ca-chain.p12"),
                   "--password-file", fixture("server/ok-with-ca-chain.pass")})
                  .exit_code,
              0);
    const auto id = std::to_string(list()[0]["id"].get<long long>());
    const auto shown = cli({"cert", "show", id, "--json"});
    ASSERT_EQ(shown.exit_code, 0) << shown.err;
    const auto object = nlohmann::json::parse(shown.out);
    EXPECT_EQ(object["chain"].size(), 1u) << "the CA certificate of the file is kept";
    EXPECT_TRUE(object["has_private_key"].get<bool>());
    const auto plain = cli({"cert", "show", id});
    EXPECT_NE(plain.out.find("never shown"), std::string::npos) << plain.out;

    EXPECT_EQ(cli({"cert", "show", "999"}).exit_code, 3);
    const auto removed = cli({"cert", "remove", id});
    EXPECT_EQ(removed.exit_code, 0) << removed.err;
    EXPECT_TRUE(list().empty());
    const auto again = cli({"cert", "remove", id});
    EXPECT_EQ(again.exit_code, 3);
    EXPECT_TRUE(again.err.starts_with("error: no certificate with id")) << again.err;
}

TEST_F(CertCommands, PasswordFromStdin) {
    std::ifstream in(fixture("server/ok-aes256.pass"));
    std::string password((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const auto wrong =
        cli({"cert", "import-server", fixture("server/ok-aes256.p12"), "--password-stdin"},
            "not-the-password\n");
    EXPECT_EQ(wrong.exit_code, 3);
    EXPECT_NE(wrong.err.find("password is wrong"), std::string::npos) << wrong.err;
    EXPECT_TRUE(list().empty());
    const auto right =
        cli({"cert", "import-server", fixture("server/ok-aes256.p12"), "--password-stdin"},
            password + "\n");
    EXPECT_EQ(right.exit_code, 0) << right.err;
}

TEST_F(CertCommands, UsageErrorsExitTwo) {
    EXPECT_EQ(cli({}).exit_code, 2);
    EXPECT_EQ(cli({"cert"}).exit_code, 2);
    EXPECT_EQ(cli({"cert", "frobnicate"}).exit_code, 2);
    EXPECT_EQ(cli({"cert", "import-client"}).exit_code, 2);
    EXPECT_EQ(cli({"cert", "list", "--kind", "both"}).exit_code, 2);
    EXPECT_EQ(cli({"cert", "show", "not-a-number"}).exit_code, 2);
    const auto both =
        cli({"cert", "import-server", "x.p12", "--password-file", "f", "--password-stdin"});
    EXPECT_EQ(both.exit_code, 2);
    EXPECT_TRUE(both.err.starts_with("error: ")) << both.err;
    EXPECT_EQ(cli({"--help"}).exit_code, 0);
}

TEST_F(CertCommands, MasterKeyIsMadeOnFirstUseWithMode0600OrTakenFromTheEnvironment) {
    ASSERT_EQ(cli({"cert", "list"}).exit_code, 0);
    struct stat st {};
    ASSERT_EQ(::stat((m_dir.path() / "data" / "master.key").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);

    const auto key_file = m_dir.path() / "elsewhere.key";
    const std::string other = (m_dir.path() / "other").string();
    const auto r = run_cli({"--data-dir", other, "cert", "list"}, {},
                           {{"CASECRYPT_MASTER_KEY_FILE", key_file.string()}});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_TRUE(std::filesystem::exists(key_file));
    EXPECT_FALSE(std::filesystem::exists(m_dir.path() / "other" / "master.key"));
}

TEST_F(CertCommands, AServerPrivateKeyIsNowhereInTheDatabaseInClear) {
    const std::string p12 = fixture("server/ok-aes256.p12");
    const std::string pass = fixture("server/ok-aes256.pass");
    ASSERT_EQ(cli({"cert", "import-server", p12, "--password-file", pass}).exit_code, 0);

    // The private key as openssl extracts it: PKCS #8 DER, and the RSA private exponent.
    const std::string der_hex = shell(
        "openssl pkcs12 -in " + quote(p12) + " -passin file:" + quote(pass) +
        " -nocerts -nodes 2>/dev/null | openssl pkey -outform DER | od -An -v -tx1 | tr -d ' \\n'");
    ASSERT_GT(der_hex.size(), 2000u);
    std::string der;
    for (std::size_t i = 0; i + 1 < der_hex.size(); i += 2) {
        der += static_cast<char>(std::stoi(der_hex.substr(i, 2), nullptr, 16));
    }
    const std::string base64 = shell("printf %s " + quote(der_hex) + " | xxd -r -p | base64 -w0");
    ASSERT_EQ(cli({"cert", "list"}).exit_code, 0);  // checkpoint: the process ended cleanly

    std::string stored;
    for (const auto& entry : std::filesystem::directory_iterator(m_dir.path() / "data")) {
        if (entry.path().filename().string().starts_with("casecrypt.db")) {
            std::ifstream in(entry.path(), std::ios::binary);
            stored.append(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
        }
    }
    ASSERT_GT(stored.size(), 0u);
    // Any 32-byte window of the key (raw or base64) would betray it.
    for (std::size_t at = 0; at + 32 <= der.size(); at += 32) {
        ASSERT_EQ(stored.find(der.substr(at, 32)), std::string::npos) << "key bytes at " << at;
    }
    for (std::size_t at = 0; at + 32 <= base64.size(); at += 32) {
        ASSERT_EQ(stored.find(base64.substr(at, 32)), std::string::npos) << "base64 at " << at;
    }
    // ... and the certificate itself is there (so the search would have found a key in clear).
    const std::string cert_b64 =
        shell("openssl pkcs12 -in " + quote(p12) + " -passin file:" + quote(pass) +
              " -nokeys -clcerts 2>/dev/null | openssl x509 "
              "-outform DER | base64 -w0");
    EXPECT_NE(stored.find(cert_b64.substr(100, 32)), std::string::npos);
}

TEST_F(CertCommands, WorksOnPostgresqlToo) {
    std::ifstream url_file(std::getenv("CASECRYPT_TEST_PG_URL_FILE"));
    std::string url;
    ASSERT_TRUE(std::getline(url_file, url)) << "the postgres fixture did not start";
    shell("psql -q " + quote(url) +
          " -c 'DROP SCHEMA public CASCADE; CREATE SCHEMA public;' >/dev/null 2>&1");
    auto pg = [&](std::vector<std::string> args) {
        args.insert(args.begin(), {"--data-dir", data(), "--database", url});
        return run_cli(args);
    };
    ASSERT_EQ(pg({"cert", "import-client", fixture("client/ok-dn-and-san.pem")}).exit_code, 0);
    const auto expired = pg({"cert", "import-client", fixture("client/reject-expired.pem")});
    EXPECT_EQ(expired.exit_code, 3);
    ASSERT_EQ(pg({"cert", "import-server", fixture("server/ok-aes256.p12"), "--password-file",
                  fixture("server/ok-aes256.pass")})
                  .exit_code,
              0);
    const auto dup = pg({"cert", "import-client", fixture("client/ok-dn-and-san.pem")});
    EXPECT_NE(dup.out.find("already in the store"), std::string::npos);
    const auto listed = pg({"cert", "list", "--json"});
    ASSERT_EQ(listed.exit_code, 0) << listed.err;
    EXPECT_EQ(nlohmann::json::parse(listed.out).size(), 2u);
    EXPECT_TRUE(list().empty()) << "the SQLite store of the data directory was not used";
    const std::string sealed = shell("psql -At " + quote(url) +
                                     " -c 'SELECT COUNT(*) FROM certificates WHERE "
                                     "sealed_private_key IS NOT NULL'");
    EXPECT_EQ(sealed, "1\n");
}

TEST_F(CertCommands, AnUnreachableDatabaseIsAFailureNotARejection) {
    const auto r = cli({"--database", "postgresql://nobody@127.0.0.1:1/none", "cert", "list"});
    EXPECT_EQ(r.exit_code, 1) << r.err;
    EXPECT_TRUE(r.err.starts_with("error: database error")) << r.err;
    // Regression (issue 9): libpq's "...\nconnection to server ... failed: ...\n\tIs the server
    // running ...?\n" was printed as three lines.
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_NE(r.err.find("Connection refused"), std::string::npos) << r.err;
}

// Regression (issue 9): a server that accepts the connection and never answers hung the
// command for ever; without connect_timeout in the URL it ends after 10 s.
TEST_F(CertCommands, APostgresqlServerThatNeverAnswersEndsAfterTheDefaultConnectTimeout) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
    ASSERT_EQ(::listen(fd, 4), 0);  // the kernel completes the handshake; nobody ever answers
    socklen_t length = sizeof address;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
    const std::string url =
        "postgresql://nobody@127.0.0.1:" + std::to_string(ntohs(address.sin_port)) + "/none";
    const auto start = std::chrono::steady_clock::now();
    const auto r = cli({"--database", url, "cert", "list"});
    const auto seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    ::close(fd);
    EXPECT_EQ(r.exit_code, 1) << r.err;
    EXPECT_GE(seconds, 9.0);
    EXPECT_LT(seconds, 15.0);
    EXPECT_TRUE(r.err.starts_with("error: database error")) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_NE(r.err.find("timeout"), std::string::npos) << r.err;
}

// Regression (issue 9): the CR/LF of an address given to --to reached the terminal raw, so the
// error ran over two lines (or an ESC sequence reached the terminal).
TEST_F(CertCommands, ControlCharactersEchoedInAnErrorAreEscapedOnOneLine) {
    const auto r = cli({"cert", "resolve", "a@b.test\r\nX-Injected: \x1b[31mred"});
    EXPECT_NE(r.exit_code, 0) << r.out;
    EXPECT_TRUE(r.err.starts_with("error: ")) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_EQ(r.err.find('\r'), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find('\x1b'), std::string::npos) << r.err;
}

}  // namespace
}  // namespace casecrypt::test
