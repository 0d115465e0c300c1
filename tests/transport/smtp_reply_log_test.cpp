// SmtpReplyLog and smtp_transfer_url: the pieces of the SMTP transport that need no server.
#include "transport/smtp_reply_log.h"

#include <gtest/gtest.h>

#include "transport/smtp_url.h"

namespace casecrypt::transport {
namespace {

TEST(SmtpReplyLog, KeepsTheLastReplyWithACode) {
    SmtpReplyLog log;
    log.add_line("220 mx ESMTP\r\n");
    log.add_line("250-mx\r\n");
    log.add_line("250 PIPELINING\r\n");
    log.add_line("450 4.2.0 <a@b>: Recipient address rejected: try later\r\n");
    log.add_line("221 2.0.0 Bye\r\n");
    EXPECT_EQ(log.last_with_code(450), "450 4.2.0 <a@b>: Recipient address rejected: try later");
    EXPECT_EQ(log.last_with_code(250), "250-mx / 250 PIPELINING");
    EXPECT_FALSE(log.last_with_code(550));
}

TEST(SmtpReplyLog, IgnoresNoiseAndBoundsWhatItKeeps) {
    SmtpReplyLog log;
    log.add_line("garbage");
    log.add_line("");
    for (int i = 0; i < 10000; ++i) {
        log.add_line("250-" + std::string(100, 'x'));
    }
    log.add_line("250 end");
    const auto reply = log.last_with_code(250);
    ASSERT_TRUE(reply);
    EXPECT_LE(reply->size(), 4096u);
    for (int i = 0; i < 100; ++i) {
        log.add_line("354 go");
    }
    EXPECT_FALSE(log.last_with_code(250));  // pushed out
}

SmtpSettings with_url(std::string url) {
    SmtpSettings s;
    s.url = std::move(url);
    return s;
}

TEST(SmtpTransferUrl, PutsTheHeloNameIntoThePath) {
    auto s = with_url("smtp://mail.example.test:587");
    s.helo_name = "helpdesk.example.test";
    EXPECT_EQ(smtp_transfer_url(s).value_or("?"),
              "smtp://mail.example.test:587/helpdesk.example.test");
    EXPECT_EQ(smtp_transfer_url(with_url("smtps://mx.example.test/")).value_or("?"),
              "smtps://mx.example.test/localhost");
    EXPECT_EQ(smtp_transfer_url(with_url("smtp://mx.example.test/given")).value_or("?"),
              "smtp://mx.example.test/given");
}

TEST(SmtpTransferUrl, RefusesOtherSchemesCredentialsAndBadHeloNames) {
    for (const char* url :
         {"http://mx.example.test", "file:///etc/passwd", "mx.example.test:25", "smtp://",
          "smtp://user:pw@mx.example.test", "smtp://user@mx.example.test", ""}) {
        const auto r = smtp_transfer_url(with_url(url));
        ASSERT_FALSE(r) << url;
        EXPECT_EQ(r.error().message().find("pw@"), std::string::npos);
    }
    auto s = with_url("smtp://mx.example.test");
    s.helo_name = "evil\r\nRCPT TO:<x@y>";
    EXPECT_FALSE(smtp_transfer_url(s));
}

}  // namespace
}  // namespace casecrypt::transport
