// The Mail object and workflowAPI over the real services: a script's mail is decided like the
// web client's (encrypted when mail.encryption is on and a certificate exists), goes through
// the outbox, carries Auto-Submitted, and is recorded in the ticket when asked; notes and
// status changes reach the ticket; a dry run sends and changes nothing.
#include <filesystem>
#include <fstream>

#include "workflow_fixture.h"

namespace casecrypt::workflow::test {
namespace {

using services::SendDecision;
using services::WorkflowRunOutcome;

class MailApiTest : public WorkflowFixture {
protected:
    std::string outgoing_file(long long outbox_id) {
        const auto file =
            m_dir.path() / "data" / "mail" / "outgoing" / (std::to_string(outbox_id) + ".eml");
        std::ifstream in(file, std::ios::binary);
        return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    }
};

constexpr const char* kAcknowledge = R"(
    local mail = Mail.new()
    mail:setTo(ticket.customer)
    mail:setSubject("Ticket (" .. ticket.number .. ") received")
    mail:setText("We have your message.")
    local report = mail:send()
    workflowAPI.log(report.decision, tostring(report.encrypted), #report.outbox)
)";

TEST_F(MailApiTest, AMailToACustomerWithACertificateGoesEncryptedThroughTheOutbox) {
    encryption_on_with_alice();
    const long long number = file_mail("Alice <alice@example.test>", "Help");
    const auto result = run(std::string(kAcknowledge) + R"(
        local r = report.recipients[1]
        assert(r.address == "alice@example.test" and r.kind == "to", r.address)
        assert(r.certificate and #r.certificate.fingerprint == 64, "certificate")
        assert(r.certificate.source == "store" and r.certificate.notAfter:match("^20"))
        assert(report.mailId ~= "" and report.dryRun == false)
    )",
                            number);
    ASSERT_EQ(result.outcome, WorkflowRunOutcome::ok) << describe(result);
    ASSERT_EQ(result.mails.size(), 1u);
    EXPECT_EQ(result.mails[0].decision, SendDecision::encrypted);
    EXPECT_TRUE(result.mails[0].encrypted);
    ASSERT_EQ(result.mails[0].outbox_ids.size(), 1u);
    EXPECT_EQ(outbox_size(), 1u);
    EXPECT_NE(
        std::find(result.log.begin(), result.log.end(), "sent to alice@example.test encrypted"),
        result.log.end())
        << describe(result);
    const std::string mail = outgoing_file(result.mails[0].outbox_ids[0]);
    EXPECT_NE(mail.find("application/pkcs7-mime"), std::string::npos) << mail.substr(0, 800);
    EXPECT_NE(mail.find("From: Support <support@example.test>"), std::string::npos)
        << mail.substr(0, 800);
}

TEST_F(MailApiTest, ScriptsMailCarriesAutoSubmitted) {
    const long long number = file_mail("Carl <carl@customer.test>", "Help");
    const auto result = run(kAcknowledge, number);
    ASSERT_EQ(result.outcome, WorkflowRunOutcome::ok) << describe(result);
    ASSERT_EQ(result.mails.size(), 1u);
    ASSERT_EQ(result.mails[0].outbox_ids.size(), 1u);
    const std::string mail = outgoing_file(result.mails[0].outbox_ids[0]);
    EXPECT_NE(mail.find("Auto-Submitted: auto-generated"), std::string::npos)
        << mail.substr(0, 800);
}

TEST_F(MailApiTest, DisableEncryptionSendsInTheClear) {
    encryption_on_with_alice();
    const long long number = file_mail("Alice <alice@example.test>", "Help");
    const auto result = run(R"(
        local mail = Mail.new()
        mail:setTo({ticket.customer})
        mail:setSubject("News")
        mail:setText("Plain for everyone.")
        mail:disableEncryption()
        local report = mail:send()
        assert(report.decision == "unencrypted" and not report.encrypted, report.sentence)
    )",
                            number);
    ASSERT_EQ(result.outcome, WorkflowRunOutcome::ok) << describe(result);
    ASSERT_EQ(result.mails.size(), 1u);
    EXPECT_EQ(result.mails[0].decision, SendDecision::unencrypted_not_requested);
    EXPECT_EQ(outbox_size(), 1u);
}

TEST_F(MailApiTest, EnableEncryptionWhileItIsSwitchedOffFailsNamingTheProperty) {
    const long long number = file_mail("Alice <alice@example.test>", "Help");
    const auto result =
        run("local mail = Mail.new()\nmail:setTo(ticket.customer)\n"
            "mail:enableEncryption()\nmail:send()\n",
            number);
    EXPECT_EQ(result.outcome, WorkflowRunOutcome::failed);
    EXPECT_NE(result.error.find("cmas-core-server / mail.encryption = false"), std::string::npos)
        << result.error;
    EXPECT_EQ(result.line, 3);
    EXPECT_TRUE(result.mails.empty());
    EXPECT_EQ(outbox_size(), 0u);
}

TEST_F(MailApiTest, ARejectPolicyKeepsAMailForSomeoneWithoutACertificate) {
    encryption_on_with_alice();
    const long long number = file_mail("Carl <carl@customer.test>", "Help");
    const auto result = run(R"(
        local mail = Mail.new()
        mail:setTo(ticket.customer)
        mail:setSubject("Reminder")
        mail:setText("Secret reminder.")
        mail:setMissingCertificatePolicy("reject")
        local report = mail:send()
        assert(report.decision == "rejected", report.decision)
        assert(report.recipients[1].outcome:find("no certificate"), report.recipients[1].outcome)
    )",
                            number);
    ASSERT_EQ(result.outcome, WorkflowRunOutcome::ok) << describe(result);
    ASSERT_EQ(result.mails.size(), 1u);
    EXPECT_TRUE(result.mails[0].rejected());
}

TEST_F(MailApiTest, ABadPolicyWordIsAnError) {
    const auto result = run("local m = Mail.new()\nm:setMissingCertificatePolicy('maybe')\n");
    EXPECT_EQ(result.outcome, WorkflowRunOutcome::failed);
    EXPECT_NE(result.error.find("\"unencrypted\" or \"reject\" expected"), std::string::npos)
        << result.error;
    EXPECT_EQ(result.line, 2);
}

TEST_F(MailApiTest, SetAppendToTicketRecordsTheMailInTheTicketsHistory) {
    const long long number = file_mail("Carl <carl@customer.test>", "Help");
    const long long other = file_mail("Dora <dora@customer.test>", "Other");
    const auto result = run(R"(
        local found = workflowAPI.findTickets{status = "open"}
        local target
        for _, t in ipairs(found) do if t.customer == "dora@customer.test" then target = t end end
        local mail = Mail.new()
        mail:setTo(target.customer)
        mail:setSubject("About your other ticket")
        mail:setText("Recorded there.")
        mail:setAppendToTicket(target)
        mail:send()
    )",
                            number, false, services::WorkflowEvent::email_received);
    ASSERT_EQ(result.outcome, WorkflowRunOutcome::ok) << describe(result);
    auto view = installation().tickets().show(other);
    ASSERT_TRUE(view) << view.error().message();
    ASSERT_EQ(view->messages.size(), 2u);
    EXPECT_EQ(view->messages[1].direction, services::MessageDirection::out);
    EXPECT_NE(view->messages[1].subject.find("About your other ticket"), std::string::npos);
    EXPECT_EQ(installation().tickets().show(number)->messages.size(), 1u);
}

TEST_F(MailApiTest, SendEmailIsTheShortFormForTheEventsTicket) {
    const long long number = file_mail("Carl <carl@customer.test>", "Help");
    const auto result =
        run("local r = workflowAPI.sendEmail(ticket.customer, 'Got it', 'Thanks.')\n"
            "assert(#r.outbox == 1)\n",
            number);
    ASSERT_EQ(result.outcome, WorkflowRunOutcome::ok) << describe(result);
    auto view = installation().tickets().show(number);
    ASSERT_TRUE(view);
    ASSERT_EQ(view->messages.size(), 2u);
    EXPECT_EQ(view->messages[1].direction, services::MessageDirection::out);
}

TEST_F(MailApiTest, WithoutATicketTheSenderMustBeGiven) {
    auto result = run("local m = Mail.new()\nm:setTo('carl@customer.test')\nm:send()\n",
                      std::nullopt, false, services::WorkflowEvent::timer);
    EXPECT_EQ(result.outcome, WorkflowRunOutcome::failed);
    EXPECT_NE(result.error.find("setFrom is needed"), std::string::npos) << result.error;
    EXPECT_EQ(result.line, 3);

    result =
        run("local m = Mail.new()\nm:setFrom('support@example.test')\n"
            "m:setTo('carl@customer.test')\nm:setSubject('x')\nm:setText('y')\nm:send()\n",
            std::nullopt, false, services::WorkflowEvent::timer);
    EXPECT_EQ(result.outcome, WorkflowRunOutcome::ok) << describe(result);
    EXPECT_EQ(outbox_size(), 1u);
}

TEST_F(MailApiTest, AServiceErrorIsALuaErrorWithTheServicesMessage) {
    const long long number = file_mail("Carl <carl@customer.test>", "Help");
    const auto result = run("local m = Mail.new()\nm:setSubject('nobody')\nm:send()\n", number);
    EXPECT_EQ(result.outcome, WorkflowRunOutcome::failed);
    EXPECT_EQ(result.error, "test:3: the mail has no recipient");
    const auto caught =
        run("local m = Mail.new()\nlocal ok, e = pcall(m.send, m)\n"
            "assert(not ok and e:find('no recipient'), e)\n",
            number);
    EXPECT_EQ(caught.outcome, WorkflowRunOutcome::ok) << describe(caught);
}

TEST_F(MailApiTest, AttachmentsAreSentAndBadNamesRefused) {
    const long long number = file_mail("Carl <carl@customer.test>", "Help");
    auto result = run(R"(
        local m = Mail.new()
        m:setTo(ticket.customer)
        m:setSubject("Your invoice")
        m:setText("Attached.")
        m:addAttachment("invoice.txt", "line one\n", "text/plain")
        m:addAttachment("invoice.txt", "second file, same name\n")
        local r = m:send()
    )",
                      number);
    ASSERT_EQ(result.outcome, WorkflowRunOutcome::ok) << describe(result);
    ASSERT_EQ(result.mails.size(), 1u);
    const std::string mail = outgoing_file(result.mails[0].outbox_ids.at(0));
    EXPECT_NE(mail.find("invoice.txt"), std::string::npos);
    EXPECT_NE(mail.find("text/plain"), std::string::npos);
    // No scratch directory stays behind.
    for (const auto& entry : std::filesystem::directory_iterator(installation().work_dir()))
        EXPECT_FALSE(std::filesystem::exists(entry.path() / "1" / "invoice.txt")) << entry.path();

    for (const char* name : {"../etc/passwd", "a/b", "bell\a", ""}) {
        result =
            run("local m = Mail.new()\nm:addAttachment(" + std::string("'") + name + "', 'x')\n",
                number);
        EXPECT_EQ(result.outcome, WorkflowRunOutcome::failed) << name;
        EXPECT_NE(result.error.find("no slash, no control character"), std::string::npos)
            << result.error;
    }
}

TEST_F(MailApiTest, AddNoteAndSetStatusChangeTheTicket) {
    const long long number = file_mail("Carl <carl@customer.test>", "Help");
    const auto result = run(R"(
        workflowAPI.addNote(ticket, "customer called")
        workflowAPI.setStatus(ticket.number, "closed")
    )",
                            number);
    ASSERT_EQ(result.outcome, WorkflowRunOutcome::ok) << describe(result);
    auto view = installation().tickets().show(number);
    ASSERT_TRUE(view);
    ASSERT_EQ(view->notes.size(), 1u);
    EXPECT_EQ(view->notes[0].text, "customer called");
    EXPECT_EQ(view->notes[0].author, "workflow:test");
    EXPECT_EQ(view->ticket.status, services::TicketStatus::closed);

    const auto bad = run("workflowAPI.setStatus(ticket, 'pending')", number);
    EXPECT_EQ(bad.outcome, WorkflowRunOutcome::failed);
    EXPECT_NE(bad.error.find("\"open\" or \"closed\""), std::string::npos) << bad.error;
}

TEST_F(MailApiTest, ADryRunSendsNothingAndChangesNothing) {
    encryption_on_with_alice();
    const long long number = file_mail("Alice <alice@example.test>", "Help");
    const auto result = run(std::string(kAcknowledge) + R"(
        assert(report.dryRun == true and report.decision == "encrypted", report.decision)
        workflowAPI.addNote(ticket, "x")
        workflowAPI.setStatus(ticket, "closed")
    )",
                            number, true);
    ASSERT_EQ(result.outcome, WorkflowRunOutcome::ok) << describe(result);
    ASSERT_EQ(result.mails.size(), 1u);
    EXPECT_TRUE(result.mails[0].outbox_ids.empty());
    EXPECT_EQ(outbox_size(), 0u);
    auto view = installation().tickets().show(number);
    ASSERT_TRUE(view);
    EXPECT_TRUE(view->notes.empty());
    EXPECT_EQ(view->messages.size(), 1u);
    EXPECT_EQ(view->ticket.status, services::TicketStatus::open);
    const std::string n = std::to_string(number);
    for (const std::string& line : std::vector<std::string>{
             "would send to alice@example.test encrypted", "would add a note to ticket " + n,
             "would set ticket " + n + " to closed"})
        EXPECT_NE(std::find(result.log.begin(), result.log.end(), line), result.log.end())
            << line << "\n"
            << describe(result);
}

TEST_F(MailApiTest, FindTicketsFiltersByStatusAgeAndLimit) {
    file_mail("Carl <carl@customer.test>", "One");
    file_mail("Dora <dora@customer.test>", "Two");
    const auto result = run(R"(
        local all = workflowAPI.findTickets{}
        assert(#all == 2 and all[1].messages == nil, #all)
        assert(all[1].mailbox == "Support <support@example.test>", tostring(all[1].mailbox))
        assert(#workflowAPI.findTickets{limit = 1} == 1)
        assert(#workflowAPI.findTickets{status = "closed"} == 0)
        assert(#workflowAPI.findTickets{status = "open", olderThanMinutes = 60} == 0)
        assert(#workflowAPI.findTickets{olderThanMinutes = 0} == 2)
        assert(not pcall(workflowAPI.findTickets, {status = "pending"}))
    )",
                            std::nullopt, false, services::WorkflowEvent::timer);
    EXPECT_EQ(result.outcome, WorkflowRunOutcome::ok) << describe(result);
}

}  // namespace
}  // namespace casecrypt::workflow::test
