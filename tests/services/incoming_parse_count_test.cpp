// One pass per mail (issue 10): a fetched mail is parsed whole once before it is filed (its
// summary at fetch time reads only the header), and an encrypted one is not parsed again before
// the S/MIME engine decrypts it: the engine works on that parse. Counted with
// mime::parse_count() around IncomingMail's fetch and processing of one mail at a time, through
// the `local` account's directory.
#include <gtest/gtest.h>

#include <fstream>

#include "core/clock.h"
#include "core/file_io.h"
#include "crypto/openssl_error.h"
#include "mime/mime_document.h"
#include "services/installation.h"
#include "support/run_cli.h"

namespace casecrypt::services {
namespace {

using test::fixtures_dir;

class IncomingParseCount : public ::testing::Test {
protected:
    void SetUp() override {
        ASSERT_TRUE(crypto::init_openssl());
        InstallationOptions options;
        options.data_dir = m_dir.path();
        auto installation = Installation::open(options, m_clock);
        ASSERT_TRUE(installation) << installation.error().message();
        m_installation = std::move(*installation);
        std::string password = read_file(fixtures_dir() / "server/ok-aes256.pass").value_or("");
        if (!password.empty() && password.back() == '\n')
            password.pop_back();
        auto imported = m_installation->certificates().import_server(
            fixtures_dir() / "server/ok-aes256.p12", Secret(password), "test");
        ASSERT_TRUE(imported) << imported.error().message();
    }

    // Drops `bytes` into the local mailbox, fetches and files it; the whole parses it took.
    std::uint64_t parses_to_file(const std::string& name, const std::string& bytes) {
        const auto incoming = m_dir.path() / "mail" / "incoming";
        std::filesystem::create_directories(incoming);
        std::ofstream(incoming / ("." + name + ".tmp"), std::ios::binary) << bytes;
        std::filesystem::rename(incoming / ("." + name + ".tmp"), incoming / (name + ".eml"));
        const std::uint64_t before = mime::parse_count();
        auto fetched = m_installation->incoming().fetch("local");
        EXPECT_TRUE(fetched) << fetched.error().message();
        EXPECT_EQ(fetched ? fetched->fetched : 0, 1);
        auto processed = m_installation->incoming().process_pending();
        EXPECT_TRUE(processed) << processed.error().message();
        EXPECT_EQ(processed ? processed->new_tickets : 0, 1) << name << " became a ticket";
        if (processed && !processed->outcomes.empty()) {
            EXPECT_EQ(processed->outcomes.front().cause, "");
        }
        return mime::parse_count() - before;
    }

    test::TempDir m_dir;
    SystemClock m_clock;
    std::unique_ptr<Installation> m_installation;
};

TEST_F(IncomingParseCount, APlainMailIsParsedOnce) {
    EXPECT_EQ(parses_to_file("plain",
                             "From: carl@customer.test\nTo: support@example.test\n"
                             "Subject: plain\n\nnot encrypted\n"),
              1u);
}

TEST_F(IncomingParseCount, AnEncryptedMailIsParsedOnceBeforeDecryptionAndTwiceAfter) {
    auto mail = read_file(fixtures_dir() / "smime/01-aes256-cbc.eml");
    ASSERT_TRUE(mail) << mail.error().message();
    // Before: the mail once for its ticket (stopped at S/MIME), then again by the engine; the
    // decrypted entity by the engine; the decrypted message for the ticket (4). Now the engine
    // works on the first parse (3): one before decryption, and after it the engine's parse of
    // the decrypted entity and the parse of the message it writes, from which the ticket is
    // filled.
    EXPECT_EQ(parses_to_file("encrypted", *mail), 3u);
}

}  // namespace
}  // namespace casecrypt::services
