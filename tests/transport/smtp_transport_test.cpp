// SmtpTransport against the real Postfix of the `postfix` CTest fixture (tests/harness/
// postfix.sh): what arrives in the Maildir, 4xx/5xx classification, TLS; and against the
// scripted server and raw sockets for timeouts and AUTH, which Postfix cannot fake on demand.
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <thread>

#include "support/run_cli.h"
#include "transport/mail_transport.h"
#include "transport/postfix_server.h"
#include "transport/scripted_smtp_server.h"

namespace casecrypt::transport {
namespace {

using test::PostfixServer;
using test::unique_message_id;

class SmtpTransportTest : public ::testing::Test {
protected:
    void SetUp() override {
        auto server = PostfixServer::from_env();
        ASSERT_TRUE(server) << "the postfix fixture did not run ($CASECRYPT_TEST_POSTFIX_DIR)";
        m_server = *server;
    }

    SmtpSettings settings(int port) const {
        SmtpSettings s;
        s.url = m_server.smtp_url(port);
        s.timeout = std::chrono::seconds(5);
        return s;
    }

    std::filesystem::path write_message(const std::string& bytes) {
        const auto path = m_dir.path() / ("message-" + std::to_string(++m_files) + ".eml");
        std::ofstream(path, std::ios::binary) << bytes;
        return path;
    }

    static std::string simple_message(const std::string& id, const std::string& to) {
        return "From: support@example.test\nTo: " + to + "\nSubject: test\nMessage-ID: " + id +
               "\n\nhello\n";
    }

    DeliveryResult send(const SmtpSettings& s, std::vector<std::string> to,
                        const std::string& bytes, std::string from = "support@example.test") {
        auto transport = make_smtp_transport(s);
        return transport->deliver(Envelope{std::move(from), std::move(to), "t"},
                                  write_message(bytes));
    }

    // Failed transactions never reach the queue, but give Postfix a moment to prove it.
    void expect_nothing_delivered(const std::string& address, const std::string& id) {
        std::this_thread::sleep_for(std::chrono::seconds(1));
        EXPECT_TRUE(m_server.mails_containing(address, id).empty()) << address;
    }

    PostfixServer m_server;
    test::TempDir m_dir;
    int m_files = 0;
};

std::string body_of(const std::string& mail) {
    const auto blank = mail.find("\n\n");
    return blank == std::string::npos ? std::string() : mail.substr(blank + 2);
}

TEST_F(SmtpTransportTest, LfMessageWithDotsAnd8BitArrivesIntact) {
    const std::string id = unique_message_id("lf");
    const std::string body =
        "first line\n"
        ".leading dot\n"
        ".\n"
        "..two dots\n"
        "Gr\xc3\xbc\xc3\x9f"
        "e aus K\xc3\xb6ln \xe2\x82\xac\n"
        "last line\n";
    const std::string headers =
        "From: Support <support@example.test>\n"
        "To: Alice <alice@customer.test>\n"
        "Subject: Ticket (42) dots and umlauts\n"
        "Message-ID: " +
        id +
        "\n"
        "MIME-Version: 1.0\n"
        "Content-Type: text/plain; charset=utf-8\n"
        "Content-Transfer-Encoding: 8bit\n";
    const auto result =
        send(settings(m_server.port), {"alice@customer.test"}, headers + "\n" + body);
    ASSERT_EQ(result.status, DeliveryStatus::delivered) << result.reply;
    EXPECT_NE(result.reply.find("250"), std::string::npos) << result.reply;

    const auto mail = m_server.wait_for_mail("alice@customer.test", id);
    ASSERT_TRUE(mail) << "not delivered";
    EXPECT_EQ(body_of(*mail), body);  // virtual(8) stores LF line ends
    for (const char* line :
         {"From: Support <support@example.test>\n", "To: Alice <alice@customer.test>\n",
          "Subject: Ticket (42) dots and umlauts\n"}) {
        EXPECT_NE(mail->find(line), std::string::npos) << line;
    }
    EXPECT_NE(mail->find("Message-ID: " + id + "\n"), std::string::npos);
    EXPECT_NE(mail->find("Delivered-To: alice@customer.test\n"), std::string::npos);
    EXPECT_NE(mail->find("X-Original-To: alice@customer.test\n"), std::string::npos);
}

// "\r\n.\r\n" inside a message must not end the DATA (the SMTP smuggling shape).
TEST_F(SmtpTransportTest, CrlfMessageWithEndOfDataSequenceArrivesIntact) {
    const std::string id = unique_message_id("crlf");
    const std::string message =
        "From: support@example.test\r\nTo: bob@customer.test\r\n"
        "Subject: crlf\r\nMessage-ID: " +
        id +
        "\r\n\r\n"
        "before\r\n.\r\nMAIL FROM:<evil@example.test>\r\nafter\r\n";
    const auto result = send(settings(m_server.port), {"bob@customer.test"}, message);
    ASSERT_EQ(result.status, DeliveryStatus::delivered) << result.reply;
    const auto mail = m_server.wait_for_mail("bob@customer.test", id);
    ASSERT_TRUE(mail);
    EXPECT_EQ(body_of(*mail), "before\n.\nMAIL FROM:<evil@example.test>\nafter\n");
}

TEST_F(SmtpTransportTest, MessageWithoutFinalNewlineKeepsItsLastLine) {
    const std::string id = unique_message_id("nonl");
    const auto result = send(settings(m_server.port), {"carol@customer.test"},
                             "Subject: x\nMessage-ID: " + id + "\n\nno newline at the end");
    ASSERT_EQ(result.status, DeliveryStatus::delivered) << result.reply;
    const auto mail = m_server.wait_for_mail("carol@customer.test", id);
    ASSERT_TRUE(mail);
    EXPECT_EQ(body_of(*mail), "no newline at the end\n");
}

// Several read callbacks, LF→CRLF across chunk boundaries.
TEST_F(SmtpTransportTest, LargeLfMessageArrivesIntact) {
    const std::string id = unique_message_id("large");
    std::string body;
    for (int i = 0; body.size() < 3 * 1024 * 1024; ++i) {
        body += (i % 7 == 0 ? "." : "") + std::to_string(i) + std::string(70, 'x') + "\n";
    }
    const auto result = send(settings(m_server.port), {"helpdesk@example.test"},
                             "Subject: large\nMessage-ID: " + id + "\n\n" + body);
    ASSERT_EQ(result.status, DeliveryStatus::delivered) << result.reply;
    const auto mail = m_server.wait_for_mail("helpdesk@example.test", id);
    ASSERT_TRUE(mail);
    EXPECT_TRUE(body_of(*mail) == body)
        << "body differs; sizes " << body_of(*mail).size() << " and " << body.size();
}

TEST_F(SmtpTransportTest, EveryRecipientGetsACopy) {
    const std::string id = unique_message_id("multi");
    const std::vector<std::string> to = {"alice@customer.test", "bob@customer.test",
                                         "carol@customer.test", "someone@customer.test"};
    const auto result =
        send(settings(m_server.port), to, simple_message(id, "alice@customer.test"));
    ASSERT_EQ(result.status, DeliveryStatus::delivered) << result.reply;
    for (const auto& address : to) {
        const auto mail = m_server.wait_for_mail(address, id);
        ASSERT_TRUE(mail) << address;
        EXPECT_NE(mail->find("Delivered-To: " + address + "\n"), std::string::npos) << address;
    }
}

TEST_F(SmtpTransportTest, NullSenderIsAllowed) {
    const std::string id = unique_message_id("bounce");
    const auto result = send(settings(m_server.port), {"support@example.test"},
                             simple_message(id, "support@example.test"), "");
    ASSERT_EQ(result.status, DeliveryStatus::delivered) << result.reply;
    const auto mail = m_server.wait_for_mail("support@example.test", id);
    ASSERT_TRUE(mail);
    EXPECT_EQ(mail->rfind("Return-Path: <>\n", 0), 0u) << mail->substr(0, 80);
}

TEST_F(SmtpTransportTest, Reply450IsTemporaryWithTheServersText) {
    const std::string id = unique_message_id("450");
    const auto result =
        send(settings(m_server.port), {"alice@customer.test", "tempfail@customer.test"},
             simple_message(id, "alice@customer.test"));
    EXPECT_EQ(result.status, DeliveryStatus::temporary_failure);
    EXPECT_NE(result.reply.find("450"), std::string::npos) << result.reply;
    EXPECT_NE(result.reply.find("try later"), std::string::npos) << result.reply;
    // All or nothing: the accepted recipient got nothing either.
    expect_nothing_delivered("alice@customer.test", id);
}

TEST_F(SmtpTransportTest, Reply550IsPermanentWithTheServersText) {
    const std::string id = unique_message_id("550");
    const auto result = send(settings(m_server.port), {"reject@customer.test"},
                             simple_message(id, "reject@customer.test"));
    EXPECT_EQ(result.status, DeliveryStatus::permanent_failure);
    EXPECT_NE(result.reply.find("550"), std::string::npos) << result.reply;
    EXPECT_NE(result.reply.find("no such user"), std::string::npos) << result.reply;
}

TEST_F(SmtpTransportTest, RequireStarttlsWithoutTlsSendsNothing) {
    const std::string id = unique_message_id("notls");
    auto s = settings(m_server.port);
    s.require_starttls = true;
    const auto result =
        send(s, {"nocert@customer.test"}, simple_message(id, "nocert@customer.test"));
    EXPECT_EQ(result.status, DeliveryStatus::temporary_failure) << result.reply;
    EXPECT_NE(result.reply.find("STARTTLS"), std::string::npos) << result.reply;
    expect_nothing_delivered("nocert@customer.test", id);
}

TEST_F(SmtpTransportTest, StarttlsIsUsedWhenOffered) {
    const std::string id = unique_message_id("starttls");
    auto s = settings(m_server.starttls_port);
    s.require_starttls = true;
    s.ca_file = m_server.ca_file;
    const auto result = send(s, {"alice@customer.test"}, simple_message(id, "alice@customer.test"));
    ASSERT_EQ(result.status, DeliveryStatus::delivered) << result.reply;
    const auto mail = m_server.wait_for_mail("alice@customer.test", id);
    ASSERT_TRUE(mail);
    EXPECT_NE(mail->find("(using TLS"), std::string::npos) << mail->substr(0, 400);
}

TEST_F(SmtpTransportTest, SmtpsDelivers) {
    const std::string id = unique_message_id("smtps");
    auto s = settings(m_server.smtps_port);
    s.ca_file = m_server.ca_file;
    const auto result = send(s, {"bob@customer.test"}, simple_message(id, "bob@customer.test"));
    ASSERT_EQ(result.status, DeliveryStatus::delivered) << result.reply;
    const auto mail = m_server.wait_for_mail("bob@customer.test", id);
    ASSERT_TRUE(mail);
    EXPECT_NE(mail->find("(using TLS"), std::string::npos) << mail->substr(0, 400);
}

// With CURLUSESSL_TRY an offered STARTTLS whose certificate fails must not fall back to clear.
TEST_F(SmtpTransportTest, UntrustedCertificateFailsRatherThanSendingInClear) {
    const std::string id = unique_message_id("untrusted");
    const auto result = send(settings(m_server.starttls_port), {"carol@customer.test"},
                             simple_message(id, "carol@customer.test"));
    EXPECT_EQ(result.status, DeliveryStatus::temporary_failure);
    EXPECT_NE(result.reply.find("certificate"), std::string::npos) << result.reply;
    expect_nothing_delivered("carol@customer.test", id);
}

TEST_F(SmtpTransportTest, InjectedRecipientIsRefusedBeforeConnecting) {
    const std::string id = unique_message_id("inject");
    const auto result =
        send(settings(m_server.port), {"alice@customer.test>\r\nRCPT TO:<bob@customer.test"},
             simple_message(id, "alice@customer.test"));
    EXPECT_EQ(result.status, DeliveryStatus::permanent_failure);
    const auto none = send(settings(m_server.port), {}, simple_message(id, "x"));
    EXPECT_EQ(none.status, DeliveryStatus::permanent_failure);
    expect_nothing_delivered("bob@customer.test", id);
}

TEST_F(SmtpTransportTest, MissingMessageFileIsATemporaryFailure) {
    auto transport = make_smtp_transport(settings(m_server.port));
    const auto result =
        transport->deliver(Envelope{"support@example.test", {"alice@customer.test"}, "t"},
                           m_dir.path() / "does-not-exist.eml");
    EXPECT_EQ(result.status, DeliveryStatus::temporary_failure);
    EXPECT_NE(result.reply.find("does-not-exist.eml"), std::string::npos) << result.reply;
}

TEST_F(SmtpTransportTest, CredentialsInTheUrlAreRefusedWithoutRepeatingThem) {
    SmtpSettings s = settings(m_server.port);
    s.url = "smtp://user:hunter2-secret@127.0.0.1:" + std::to_string(m_server.port);
    const auto result =
        send(s, {"alice@customer.test"}, simple_message(unique_message_id("url"), "a"));
    EXPECT_EQ(result.status, DeliveryStatus::temporary_failure);
    EXPECT_EQ(result.reply.find("hunter2"), std::string::npos) << result.reply;
}

// --- faults a real server will not produce on demand --------------------------------------

class SmtpFaultTest : public ::testing::Test {
protected:
    DeliveryResult send_to(const std::string& url, std::chrono::seconds timeout,
                           const std::string& message = "Subject: x\n\nhello\n") {
        const auto path = m_dir.path() / "m.eml";
        std::ofstream(path, std::ios::binary) << message;
        SmtpSettings s;
        s.url = url;
        s.timeout = timeout;
        s.user = m_user;
        s.password = Secret(m_password);
        const auto start = std::chrono::steady_clock::now();
        auto result = make_smtp_transport(s)->deliver(
            Envelope{"support@example.test", {"alice@customer.test"}, "t"}, path);
        m_elapsed = std::chrono::steady_clock::now() - start;
        return result;
    }
    static std::string url(int port) { return "smtp://127.0.0.1:" + std::to_string(port); }
    double elapsed_seconds() const { return std::chrono::duration<double>(m_elapsed).count(); }

    test::TempDir m_dir;
    std::string m_user;
    std::string m_password;
    std::chrono::steady_clock::duration m_elapsed{};
};

TEST_F(SmtpFaultTest, NothingListeningIsTemporary) {
    test::ClosedPort closed;
    const auto result = send_to(url(closed.port()), std::chrono::seconds(2));
    EXPECT_EQ(result.status, DeliveryStatus::temporary_failure);
    EXPECT_FALSE(result.reply.empty());
    EXPECT_LT(elapsed_seconds(), 10.0);
}

TEST_F(SmtpFaultTest, ServerThatNeverSpeaksIsTemporaryWithinTheTimeout) {
    test::SilentListener silent;
    const auto result = send_to(url(silent.port()), std::chrono::seconds(2));
    EXPECT_EQ(result.status, DeliveryStatus::temporary_failure);
    EXPECT_NE(result.reply.find("time"), std::string::npos) << result.reply;
    EXPECT_LT(elapsed_seconds(), 10.0);
    RecordProperty("elapsed_seconds", std::to_string(elapsed_seconds()));
}

class SmtpStallTest : public SmtpFaultTest,
                      public ::testing::WithParamInterface<test::ScriptedSmtpServer::Stall> {};

TEST_P(SmtpStallTest, ServerThatStallsIsTemporaryWithinTheTimeout) {
    test::ScriptedSmtpServer server({GetParam(), false});
    // Big enough to fill the socket buffers when the server stops reading.
    const std::string message = "Subject: big\n\n" + std::string(8 * 1024 * 1024, 'x') + "\n";
    const auto result = send_to(url(server.port()), std::chrono::seconds(2), message);
    EXPECT_EQ(result.status, DeliveryStatus::temporary_failure) << result.reply;
    EXPECT_LT(elapsed_seconds(), 10.0) << result.reply;
    RecordProperty("elapsed_seconds", std::to_string(elapsed_seconds()));
}

INSTANTIATE_TEST_SUITE_P(Stalls, SmtpStallTest,
                         ::testing::Values(test::ScriptedSmtpServer::Stall::at_mail,
                                           test::ScriptedSmtpServer::Stall::reading_data,
                                           test::ScriptedSmtpServer::Stall::at_end_of_data));

TEST_F(SmtpFaultTest, RefusedAuthIsTemporaryAndThePasswordStaysOutOfTheReply) {
    test::ScriptedSmtpServer server({test::ScriptedSmtpServer::Stall::never, true});
    m_user = "helpdesk";
    m_password = "hunter2-secret";
    const auto result = send_to(url(server.port()), std::chrono::seconds(5));
    EXPECT_EQ(result.status, DeliveryStatus::temporary_failure);
    EXPECT_NE(result.reply.find("535"), std::string::npos) << result.reply;
    EXPECT_EQ(result.reply.find("hunter2"), std::string::npos) << result.reply;
    EXPECT_NE(result.reply.find("***"), std::string::npos) << result.reply;  // it was echoed
    bool sent_auth = false;
    for (const auto& command : server.commands()) {
        sent_auth = sent_auth || command.rfind("AUTH PLAIN", 0) == 0;
    }
    EXPECT_TRUE(sent_auth);
}

TEST_F(SmtpFaultTest, ScriptedServerAcceptsAWholeDialogue) {
    test::ScriptedSmtpServer server({test::ScriptedSmtpServer::Stall::never, false});
    const auto result = send_to(url(server.port()), std::chrono::seconds(5));
    EXPECT_EQ(result.status, DeliveryStatus::delivered) << result.reply;
    EXPECT_EQ(result.reply, "250 2.0.0 queued");
}

}  // namespace
}  // namespace casecrypt::transport
