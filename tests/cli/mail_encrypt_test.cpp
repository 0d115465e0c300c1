// `casecrypt mail encrypt`: what we produce must open in other implementations: openssl cms
// (RSA PKCS #1 v1.5 and OAEP, EC, CBC and GCM, several recipients) and gpgsm (RSA, CBC).
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "support/openssl_cli.h"
#include "support/run_cli.h"

namespace casecrypt::test {
namespace {

const char* kMessage =
    "From: Customer <cust@customer.test>\n"
    "To: support@example.test\n"
    "Cc: Alice <alice@example.test>\n"
    "Bcc: hidden@customer.test\n"
    "Subject: =?UTF-8?B?w4RwZmVs?= and pears\n"
    "Date: Fri, 27 Nov 2026 10:00:00 +0000\n"
    "Message-ID: <interop-1@customer.test>\n"
    "In-Reply-To: <earlier@example.test>\n"
    "MIME-Version: 1.0\n"
    "Content-Type: text/plain; charset=utf-8\n"
    "Content-Transfer-Encoding: 8bit\n"
    "\n"
    "Interop body line one.\n"
    "Zeile zwei mit Umlauten: \xc3\xa4\xc3\xb6\xc3\xbc\n";

std::string slurp(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

class MailEncrypt : public ::testing::Test {
protected:
    void SetUp() override {
        std::ofstream(m_dir.path() / "m.eml") << kMessage;
        // Our identities' certificates, as openssl extracts them from the fixtures.
        for (const std::string name : {"ok-aes256", "ok-ec-p256"}) {
            shell("openssl pkcs12 -in " + quote(fixture("server/" + name + ".p12")) +
                  " -passin file:" + quote(fixture("server/" + name + ".pass")) +
                  " -nokeys -clcerts -out " + quote(path(name + ".pem")) + " 2>/dev/null");
        }
    }
    std::string fixture(const std::string& name) const { return (fixtures_dir() / name).string(); }
    std::string path(const std::string& name) const { return (m_dir.path() / name).string(); }

    CliResult encrypt(std::vector<std::string> extra, const std::string& out) {
        std::vector<std::string> args = {"--data-dir", path("data"),  "mail",  "encrypt",
                                         "--in",       path("m.eml"), "--out", path(out)};
        args.insert(args.end(), extra.begin(), extra.end());
        return run_cli(args);
    }

    // openssl cms -decrypt with one recipient's key; returns the decrypted entity.
    std::string openssl_decrypt(const std::string& file, const std::string& cert,
                                const std::string& key) {
        return shell("openssl cms -decrypt -in " + quote(path(file)) + " -recip " + quote(cert) +
                     " -inkey " + quote(fixture("keys/" + key)) + " 2>&1");
    }

    TempDir m_dir;
};

TEST_F(MailEncrypt, OpensslDecryptsEveryCipherAndKeyTransport) {
    for (const std::string cipher : {"aes-256-cbc", "aes-128-cbc", "aes-256-gcm"}) {
        for (const std::string transport : {"rsa-pkcs1", "rsa-oaep"}) {
            SCOPED_TRACE(cipher + " " + transport);
            const auto r =
                encrypt({"--cert", path("ok-aes256.pem"), "--cert", path("ok-ec-p256.pem"),
                         "--cipher", cipher, "--key-transport", transport},
                        "e.eml");
            ASSERT_EQ(r.exit_code, 0) << r.err;
            const std::string rsa = openssl_decrypt("e.eml", path("ok-aes256.pem"), "support.key");
            EXPECT_NE(rsa.find("Interop body line one."), std::string::npos) << rsa;
            EXPECT_NE(rsa.find("Content-Type: text/plain; charset=utf-8"), std::string::npos);
            const std::string ec =
                openssl_decrypt("e.eml", path("ok-ec-p256.pem"), "support-ec.key");
            EXPECT_NE(ec.find("Zeile zwei"), std::string::npos) << ec;
            // The algorithms really are the ones asked for, as openssl reads the structure.
            const std::string dump =
                shell("openssl cms -cmsout -print -in " + quote(path("e.eml")));
            const std::string expected_cipher = cipher == "aes-256-cbc"   ? "aes-256-cbc"
                                                : cipher == "aes-128-cbc" ? "aes-128-cbc"
                                                                          : "aes-256-gcm";
            EXPECT_NE(dump.find(expected_cipher), std::string::npos) << dump.substr(0, 3000);
            EXPECT_EQ(dump.find("rsaesOaep") != std::string::npos, transport == "rsa-oaep");
            EXPECT_NE(dump.find("dhSinglePass-stdDH"), std::string::npos) << "EC: ECDH (RFC 5753)";
        }
    }
}

TEST_F(MailEncrypt, OuterHeadersAreKeptBccIsDroppedAndTheBodyIsSmime) {
    ASSERT_EQ(encrypt({"--cert", path("ok-aes256.pem")}, "e.eml").exit_code, 0);
    const std::string out = slurp(path("e.eml"));
    const std::string head = out.substr(0, out.find("\n\n"));
    for (const char* kept :
         {"From: Customer <cust@customer.test>", "To: support@example.test",
          "Cc: Alice <alice@example.test>", "Subject: =?UTF-8?B?w4RwZmVs?= and pears",
          "Message-ID: <interop-1@customer.test>", "In-Reply-To: <earlier@example.test>",
          "MIME-Version: 1.0",
          "Content-Type: application/pkcs7-mime; smime-type=enveloped-data; name=\"smime.p7m\"",
          "Content-Transfer-Encoding: base64",
          "Content-Disposition: attachment; filename=\"smime.p7m\""}) {
        EXPECT_NE(head.find(kept), std::string::npos) << kept << "\n" << head;
    }
    EXPECT_EQ(out.find("hidden@customer.test"), std::string::npos);
    EXPECT_EQ(head.find("charset=utf-8"), std::string::npos) << "Content-* moved inside";
    // The enveloped entity is the canonical (CRLF) form of the message's own entity.
    const std::string entity = openssl_decrypt("e.eml", path("ok-aes256.pem"), "support.key");
    EXPECT_NE(entity.find("Content-Transfer-Encoding: 8bit\r\n"), std::string::npos);
    EXPECT_NE(entity.find("Interop body line one.\r\n"), std::string::npos);
    EXPECT_EQ(entity.find("Subject:"), std::string::npos);

    ASSERT_EQ(
        encrypt({"--cert", path("ok-aes256.pem"), "--cipher", "aes-256-gcm"}, "g.eml").exit_code,
        0);
    EXPECT_NE(slurp(path("g.eml")).find("smime-type=authEnveloped-data"), std::string::npos);
}

TEST_F(MailEncrypt, GpgsmDecryptsOurOutput) {
    ASSERT_EQ(encrypt({"--cert", path("ok-aes256.pem")}, "e.eml").exit_code, 0);
    const std::string home = path("gnupg");
    std::filesystem::create_directories(home);
    std::filesystem::permissions(home, std::filesystem::perms::owner_all);
    std::ofstream(home + "/gpg-agent.conf") << "allow-loopback-pinentry\n";
    // gpgsm 2.2 imports only a 3DES PKCS #12 with a SHA-1 MAC.
    shell("openssl pkcs12 -export -inkey " + quote(fixture("keys/support.key")) + " -in " +
          quote(path("ok-aes256.pem")) +
          " -certpbe PBE-SHA1-3DES -keypbe PBE-SHA1-3DES -macalg sha1 "
          "-passout pass:gpgtest -out " +
          quote(path("g.p12")));
    const std::string env = "GNUPGHOME=" + quote(home) + " ";
    shell("echo gpgtest | " + env +
          "gpgsm --batch --pinentry-mode loopback --passphrase-fd 0 "
          "--import " +
          quote(path("g.p12")) + " >/dev/null 2>&1");
    shell("sed '1,/^$/d' " + quote(path("e.eml")) + " | base64 -d > " + quote(path("e.der")));
    const std::string plain = shell("echo gpgtest | " + env +
                                    "gpgsm --batch --pinentry-mode loopback --passphrase-fd 0 "
                                    "--disable-policy-checks --disable-crl-checks --decrypt " +
                                    quote(path("e.der")) + " 2>/dev/null");
    shell(env + "gpgconf --kill gpg-agent >/dev/null 2>&1 || true");
    EXPECT_NE(plain.find("Interop body line one."), std::string::npos) << plain;
}

TEST_F(MailEncrypt, RefusesCertificatesThatCannotEncryptAndStdinWorks) {
    const auto bad = encrypt({"--cert", fixture("client/reject-ed25519.pem")}, "x.eml");
    EXPECT_EQ(bad.exit_code, 3);
    EXPECT_NE(bad.err.find("cannot encrypt"), std::string::npos) << bad.err;
    EXPECT_FALSE(std::filesystem::exists(path("x.eml")));
    const auto expired = encrypt({"--cert", fixture("client/reject-expired.pem")}, "x.eml");
    EXPECT_EQ(expired.exit_code, 3);
    EXPECT_EQ(run_cli({"--data-dir", path("data"), "mail", "encrypt"}).exit_code, 2);

    const auto piped = run_cli(
        {"--data-dir", path("data"), "mail", "encrypt", "--cert", path("ok-aes256.pem")}, kMessage);
    ASSERT_EQ(piped.exit_code, 0) << piped.err;
    EXPECT_NE(piped.out.find("smime.p7m"), std::string::npos);
}

}  // namespace
}  // namespace casecrypt::test
