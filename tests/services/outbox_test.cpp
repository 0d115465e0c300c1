// services::Outbox, the outgoing use cases the edges call, driven without the CLI: send and
// deliver in one call through the directory transport, the outbox views, and the send report
// as the services keep it in the database (services/send_report_codec.h).
#include "services/outbox.h"

#include <gtest/gtest.h>

#include <fstream>

#include "services/installation.h"
#include "services/send_report_codec.h"
#include "support/run_cli.h"

namespace casecrypt::services {
namespace {

class OutboxTest : public ::testing::Test {
protected:
    void SetUp() override {
        auto opened = Installation::open({m_dir.path() / "data", "", std::nullopt}, m_clock);
        ASSERT_TRUE(opened) << opened.error().message();
        m_installation = std::move(*opened);
    }
    SendRequest request() const {
        SendRequest r;
        r.from = "Support <support@example.test>";
        r.to = {"Carl <carl@customer.test>"};
        r.bcc = {"dora@customer.test"};
        r.subject = "Your request";
        r.text = "Hello Carl.\n";
        r.encrypt = false;
        return r;
    }

    test::TempDir m_dir;
    SystemClock m_clock;
    std::unique_ptr<Installation> m_installation;
};

TEST_F(OutboxTest, SendNowCommitsThenDeliversThroughTheDirectoryTransport) {
    auto report = m_installation->outbox().send_now(request());
    ASSERT_TRUE(report) << report.error().message();
    EXPECT_EQ(report->decision, SendDecision::unencrypted_switched_off);
    EXPECT_FALSE(report->encrypted);
    EXPECT_FALSE(report->delivery_error) << report->delivery_error->message();
    ASSERT_EQ(report->recipients.size(), 2u);
    EXPECT_EQ(report->recipients[0].kind, RecipientKind::to);
    EXPECT_EQ(report->recipients[1].kind, RecipientKind::bcc);
    EXPECT_EQ(report->recipients[1].outcome, RecipientOutcome::unencrypted_not_requested);
    ASSERT_EQ(report->outbox_ids.size(), 1u);
    ASSERT_EQ(report->delivery.size(), 1u);
    EXPECT_EQ(report->delivery[0].outbox_id, report->outbox_ids[0]);
    EXPECT_EQ(report->delivery[0].state, OutboxState::sent);
    const auto file = m_dir.path() / "data" / "mail" / "outgoing" /
                      (std::to_string(report->outbox_ids[0]) + ".eml");
    std::ifstream in(file, std::ios::binary);
    const std::string mail((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_NE(mail.find("Hello Carl."), std::string::npos) << file;
    EXPECT_EQ(mail.find("dora@customer.test"), std::string::npos) << "Bcc is not in the header";

    auto listed = m_installation->outbox().list();
    ASSERT_TRUE(listed) << listed.error().message();
    ASSERT_EQ(listed->size(), 1u);
    const OutboxView& view = listed->front();
    EXPECT_EQ(view.state, OutboxState::sent);
    EXPECT_FALSE(view.next_attempt) << "no attempt follows a sent copy";
    EXPECT_TRUE(view.sent);
    EXPECT_EQ(view.attempts, 1);
    EXPECT_EQ(view.recipients,
              (std::vector<std::string>{"carl@customer.test", "dora@customer.test"}));
    ASSERT_TRUE(view.report);
    EXPECT_EQ(view.report->mail_id, report->mail_id);
    EXPECT_EQ(view.report->decision, SendDecision::unencrypted_switched_off);
    EXPECT_EQ(view.report->sentence, report->sentence);
    EXPECT_EQ(view.report->recipients[1].kind, RecipientKind::bcc);

    auto due = m_installation->outbox().deliver_due();
    ASSERT_TRUE(due) << due.error().message();
    EXPECT_TRUE(due->empty()) << "delivered once";
}

TEST_F(OutboxTest, ServiceErrorsNameNoCommandLineOption) {
    auto r = request();
    r.to.clear();
    r.bcc.clear();
    auto report = m_installation->outbox().send_now(r);
    ASSERT_FALSE(report);
    EXPECT_EQ(report.error().code(), Errc::rejected);
    EXPECT_EQ(report.error().message(), "the mail has no recipient");
    r = request();
    r.attachments = {m_dir.path() / "missing.pdf"};
    report = m_installation->outbox().send_now(r);
    ASSERT_FALSE(report);
    EXPECT_EQ(report.error().code(), Errc::io);
    EXPECT_NE(report.error().message().find("missing.pdf"), std::string::npos);
}

TEST(SendReportCodec, AKeptReportReadsBackAsTheSameValue) {
    SendReport r;
    r.mail_id = "abc@example.test";
    r.decision = SendDecision::rejected;
    r.sentence = "not sent: no certificate for b@customer.test";
    r.recipients.push_back(
        {"a@customer.test", RecipientKind::cc, RecipientOutcome::rejected_other_lacks_certificate,
         UsedCertificate{7, std::string(64, 'f'), "0A", TimePoint(std::chrono::seconds(1800000000)),
                         UsedCertificate::Source::ldap}});
    r.recipients.push_back(
        {"b@customer.test", RecipientKind::bcc, RecipientOutcome::rejected_no_certificate, {}});
    r.outbox_ids = {3, 4};
    const auto back = parse_send_report(send_report_json(r));
    ASSERT_TRUE(back);
    EXPECT_EQ(back->mail_id, r.mail_id);
    EXPECT_EQ(back->decision, SendDecision::rejected);
    EXPECT_TRUE(back->rejected());
    EXPECT_EQ(back->sentence, r.sentence);
    EXPECT_EQ(back->outbox_ids, r.outbox_ids);
    ASSERT_EQ(back->recipients.size(), 2u);
    EXPECT_EQ(back->recipients[0].kind, RecipientKind::cc);
    EXPECT_EQ(back->recipients[0].outcome, RecipientOutcome::rejected_other_lacks_certificate);
    ASSERT_TRUE(back->recipients[0].certificate);
    EXPECT_EQ(back->recipients[0].certificate->id, 7);
    EXPECT_EQ(back->recipients[0].certificate->serial, "0A");
    EXPECT_EQ(back->recipients[0].certificate->source, UsedCertificate::Source::ldap);
    EXPECT_EQ(back->recipients[0].certificate->not_after, r.recipients[0].certificate->not_after);
    EXPECT_EQ(back->recipients[1].kind, RecipientKind::bcc);
    EXPECT_FALSE(back->recipients[1].certificate);
}

TEST(SendReportCodec, ReportsWrittenBeforeTheTypesAndOtherTextAreRead) {
    // A retry's report of before: no kind, the decision only as a sentence.
    const auto old = parse_send_report(
        R"({"mail_id":"m@x","encrypted":false,"rejected":false,"decision":"sent unencrypted: )"
        R"(no certificate for c@y","recipients":[{"address":"c@y","kind":"","outcome":"no )"
        R"(certificate","certificate":null}],"outbox_ids":[5]})");
    ASSERT_TRUE(old);
    EXPECT_EQ(old->decision, SendDecision::unencrypted_missing_certificate);
    EXPECT_EQ(old->recipients[0].kind, RecipientKind::to);
    EXPECT_EQ(old->recipients[0].outcome, RecipientOutcome::no_certificate);
    EXPECT_FALSE(parse_send_report(""));
    EXPECT_FALSE(parse_send_report(R"({"notes":[]})"));
    EXPECT_FALSE(parse_send_report("{not json"));
}

}  // namespace
}  // namespace casecrypt::services
