// Workflows fired by what happens to tickets, end to end through the real binary: a mail fetched
// into the `local` mailbox opens a ticket and its `ticket-created` workflow sends an
// acknowledgement (encrypted when it should be, opened here by the openssl CLI; plain after
// disableEncryption(); refused by enableEncryption() while mail.encryption is off), recorded in
// the ticket with setAppendToTicket; auto-replies and our own mail fire nothing; scripts that
// run away or reach for the system are stopped and recorded, and the mail is filed all the
// same; `ticket close` fires `ticket-closed` once.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/openssl_cli.h"
#include "support/workflow_desk.h"

namespace casecrypt::test {
namespace {

constexpr const char* kAlice = "Alice Example <alice@example.test>";

class WorkflowEvents : public ::testing::Test {
protected:
    // mail.encryption as given, Alice's certificate imported, the acknowledgement workflow.
    void prepare(bool encryption, const std::string& before_send) {
        m_desk.set_property("mail.encryption", encryption ? "true" : "false");
        const auto imported =
            m_desk.run({"cert", "import-client", fx("client/ok-rsa2048-dn-email.pem")});
        ASSERT_EQ(imported.exit_code, 0) << imported.err;
        const auto added = m_desk.add("ack", "ticket-created", acknowledge_script(before_send));
        ASSERT_EQ(added.exit_code, 0) << added.err;
    }
    // Alice writes; the fetch files it and runs the workflows.
    void alice_writes(const std::string& id = "q-1@example.test") {
        m_desk.drop(id, mail_from(kAlice, "Printer broken", id));
        const auto fetched = m_desk.fetch();
        ASSERT_EQ(fetched.exit_code, 0) << fetched.out << fetched.err;
    }
    // The one mail in the outbox, sent, as it was written to the outgoing directory.
    std::string the_sent_mail() {
        const auto outbox = m_desk.outbox();
        EXPECT_EQ(outbox.size(), 1u) << outbox.dump(2);
        if (outbox.size() != 1u)
            return "";
        EXPECT_EQ(outbox[0]["state"], "sent") << outbox.dump(2);
        return slurp(m_desk.outgoing_file(outbox[0]["id"].get<long long>()));
    }
    void expect_one_run(const std::string& outcome) {
        const auto runs = m_desk.runs("ack");
        ASSERT_EQ(runs.size(), 1u) << runs.dump(2);
        EXPECT_EQ(runs[0]["outcome"], outcome) << runs.dump(2);
        EXPECT_EQ(runs[0]["actor"], "event");
        EXPECT_EQ(runs[0]["event"], "ticket-created");
        EXPECT_EQ(runs[0]["ticket"], 1);
    }
    void expect_ticket_filed(std::size_t messages = 1) {
        const auto ticket = m_desk.json({"ticket", "show", "1", "--json"});
        ASSERT_TRUE(ticket.is_object()) << "the mail opened ticket 1";
        EXPECT_EQ(ticket["messages"].size(), messages) << ticket.dump(2);
        EXPECT_EQ(m_desk.json({"backup", "list", "--json"}).size(), 0u) << "nothing backed up";
    }

    WorkflowDesk m_desk;
};

TEST_F(WorkflowEvents, AnAcknowledgementArrivesEncryptedWhenEncryptionIsOnAndACertificateExists) {
    prepare(true, "");
    alice_writes();
    expect_one_run("ok");
    expect_ticket_filed();
    const std::string mail = the_sent_mail();
    const std::string head = headers_of(mail);
    EXPECT_NE(head.find("\nAuto-Submitted: auto-generated\n"), std::string::npos) << head;
    EXPECT_NE(head.find("application/pkcs7-mime"), std::string::npos) << head;
    EXPECT_NE(head.find("Ticket (1) received"), std::string::npos) << head;
    EXPECT_EQ(mail.find("We have your mail"), std::string::npos) << "no plain text outside";
    const auto file = m_desk.outgoing_file(m_desk.outbox()[0]["id"].get<long long>());
    const std::string opened = shell("openssl cms -decrypt -in " + quote(file.string()) +
                                     " -recip " + quote(fx("client/ok-rsa2048-dn-email.pem")) +
                                     " -inkey " + quote(fx("keys/alice.key")));
    EXPECT_NE(opened.find("We have your mail and will answer soon."), std::string::npos) << opened;
}

TEST_F(WorkflowEvents, DisableEncryptionSendsTheAcknowledgementPlain) {
    prepare(true, "mail:disableEncryption()\n");
    alice_writes();
    expect_one_run("ok");
    const std::string mail = the_sent_mail();
    const std::string head = headers_of(mail);
    EXPECT_NE(head.find("\nAuto-Submitted: auto-generated\n"), std::string::npos) << head;
    EXPECT_EQ(mail.find("pkcs7-mime"), std::string::npos) << head;
    EXPECT_NE(mail.find("We have your mail and will answer soon."), std::string::npos) << mail;
}

TEST_F(WorkflowEvents, EnableEncryptionWhileTheSwitchIsOffFailsTheRunNamingTheProperty) {
    prepare(false, "mail:enableEncryption()\n");
    alice_writes();
    expect_one_run("failed");
    const auto run = m_desk.runs("ack")[0];
    EXPECT_NE(run["error"].get<std::string>().find("mail.encryption"), std::string::npos)
        << run.dump(2);
    EXPECT_NE(run["error"].get<std::string>().find("ack:"), std::string::npos)
        << "names the workflow and line: " << run.dump(2);
    EXPECT_TRUE(m_desk.outbox().empty());
    expect_ticket_filed();
}

TEST_F(WorkflowEvents, SetAppendToTicketRecordsTheMailWithItsReportInTheHistory) {
    prepare(true, "mail:setAppendToTicket(ticket)\n");
    alice_writes();
    expect_one_run("ok");
    const auto ticket = m_desk.json({"ticket", "show", "1", "--json"});
    ASSERT_EQ(ticket["messages"].size(), 2u) << ticket.dump(2);
    const auto& sent = ticket["messages"][1];
    EXPECT_EQ(sent["direction"], "out");
    EXPECT_EQ(sent["subject"], "Ticket (1) received");
    EXPECT_EQ(sent["encrypted"], true) << sent.dump(2);
    ASSERT_TRUE(sent["report"].is_array()) << sent.dump(2);
    ASSERT_EQ(sent["report"].size(), 1u) << sent.dump(2);
    EXPECT_EQ(sent["report"][0]["address"], "alice@example.test") << sent.dump(2);
    EXPECT_EQ(sent["report"][0]["kind"], "to");
}

TEST_F(WorkflowEvents, AutoRepliesAndOurOwnMailOpenTicketsAndFireNothing) {
    prepare(false, "");
    const auto imported = m_desk.run({"cert", "import-server", fx("server/ok-aes256.p12"),
                                      "--password-file", fx("server/ok-aes256.pass")});
    ASSERT_EQ(imported.exit_code, 0) << imported.err;
    m_desk.drop("auto", mail_from(kAlice, "Out of office", "ooo@example.test",
                                  "Auto-Submitted: auto-replied\n"));
    m_desk.drop("own",
                mail_from("Support <support@example.test>", "From ourselves", "own@example.test"));
    const auto fetched = m_desk.run({"mail", "fetch", "--json"});
    ASSERT_EQ(fetched.exit_code, 0) << fetched.err;
    EXPECT_EQ(nlohmann::json::parse(fetched.out)["new_tickets"], 2) << fetched.out;
    EXPECT_EQ(m_desk.json({"ticket", "list", "--json"}).size(), 2u);
    EXPECT_TRUE(m_desk.runs().empty()) << m_desk.runs().dump(2);
    EXPECT_TRUE(m_desk.outbox().empty());

    // A person's mail still fires it.
    m_desk.drop("person", mail_from(kAlice, "A real question", "person@example.test"));
    ASSERT_EQ(m_desk.fetch().exit_code, 0);
    EXPECT_EQ(m_desk.runs().size(), 1u);
    EXPECT_EQ(m_desk.outbox().size(), 1u);
}

// Each script is stopped or fails at its line, is recorded with its name, and the mail that fired
// them is filed; the acknowledgement beside them still goes out.
TEST_F(WorkflowEvents, RunawayAndForbiddenScriptsAreStoppedAndTheMailIsFiled) {
    prepare(false, "");
    const std::vector<std::pair<std::string, std::string>> scripts = {
        {"loops", "local n = 0\nwhile true do n = n + 1 end\n"},
        {"allocates", "local t = {}\nwhile true do t[#t + 1] = string.rep(\"x\", 65536) end\n"},
        {"executes", "local ok = 1\nos.execute(\"touch /tmp/casecrypt-workflow-pwned\")\n"},
        {"opens", "local ok = 1\nlocal f = io.open(\"/etc/passwd\")\n"},
        {"requires", "local ok = 1\nlocal m = require(\"os\")\n"},
        {"loads", "local ok = 1\nlocal f = load(\"return 1\")\n"},
    };
    for (const auto& [name, text] : scripts) {
        const auto added = m_desk.add(name, "ticket-created", text);
        ASSERT_EQ(added.exit_code, 0) << name << ": " << added.err;
    }
    alice_writes();
    expect_ticket_filed();
    EXPECT_FALSE(std::filesystem::exists("/tmp/casecrypt-workflow-pwned"));
    const auto runs = m_desk.runs();
    ASSERT_EQ(runs.size(), scripts.size() + 1) << runs.dump(2);
    for (const auto& [name, text] : scripts) {
        const auto mine = m_desk.runs(name);
        ASSERT_EQ(mine.size(), 1u) << name;
        const auto& run = mine[0];
        EXPECT_NE(run["outcome"], "ok") << run.dump(2);
        const std::string error = run["error"].is_string() ? run["error"].get<std::string>() : "";
        EXPECT_NE(error.find(name), std::string::npos) << "names the workflow: " << run.dump(2);
        EXPECT_EQ(run["line"], 2) << run.dump(2);
    }
    EXPECT_NE(m_desk.runs("allocates")[0]["error"].get<std::string>().find("memory"),
              std::string::npos);
    EXPECT_EQ(m_desk.runs("loops")[0]["outcome"], "stopped");
    EXPECT_EQ(m_desk.runs("allocates")[0]["outcome"], "stopped");
    EXPECT_EQ(m_desk.runs("ack")[0]["outcome"], "ok");
    EXPECT_EQ(m_desk.outbox().size(), 1u) << "the well-behaved workflow still sent";
}

TEST_F(WorkflowEvents, AFailingEmailReceivedScriptNeverLosesTheMail) {
    WorkflowDesk& desk = m_desk;
    ASSERT_EQ(desk.add("broken", "email-received", "local ok = 1\nerror(\"no luck\")\n").exit_code,
              0);
    alice_writes();
    EXPECT_TRUE(desk.runs().empty()) << "a new ticket is not email-received";
    desk.drop("reply", mail_from(kAlice, "Re: Printer broken", "reply@example.test",
                                 "In-Reply-To: <q-1@example.test>\n"));
    ASSERT_EQ(desk.fetch().exit_code, 0);
    expect_ticket_filed(2);
    const auto runs = desk.runs("broken");
    ASSERT_EQ(runs.size(), 1u) << runs.dump(2);
    EXPECT_EQ(runs[0]["outcome"], "failed");
    EXPECT_EQ(runs[0]["event"], "email-received");
    EXPECT_EQ(runs[0]["line"], 2);
}

TEST_F(WorkflowEvents, TicketCloseFromTheCliFiresTicketClosedOnce) {
    const auto added = m_desk.add("survey", "ticket-closed",
                                  "local mail = Mail.new()\n"
                                  "mail:setFrom(\"support@example.test\")\n"
                                  "mail:setTo(ticket.customer)\n"
                                  "mail:setSubject(\"How did we do on ticket \" .. ticket.number)\n"
                                  "mail:setText(\"Tell us.\")\n"
                                  "mail:send()\n");
    ASSERT_EQ(added.exit_code, 0) << added.err;
    ASSERT_EQ(m_desk.add("reopened", "ticket-reopened", "workflowAPI.log(\"again\")\n").exit_code,
              0);
    alice_writes();
    EXPECT_TRUE(m_desk.runs().empty());
    const auto closed = m_desk.run({"ticket", "close", "1"});
    ASSERT_EQ(closed.exit_code, 0) << closed.err;
    auto runs = m_desk.runs("survey");
    ASSERT_EQ(runs.size(), 1u) << runs.dump(2);
    EXPECT_EQ(runs[0]["outcome"], "ok") << runs.dump(2);
    EXPECT_EQ(runs[0]["event"], "ticket-closed");
    const auto outbox = m_desk.outbox();
    ASSERT_EQ(outbox.size(), 1u);
    EXPECT_EQ(outbox[0]["subject"], "How did we do on ticket 1");

    m_desk.run({"ticket", "close", "1"});  // already closed: no change, whatever it says
    EXPECT_EQ(m_desk.runs("survey").size(), 1u) << "closing a closed ticket fires nothing";
    EXPECT_EQ(m_desk.outbox().size(), 1u);

    ASSERT_EQ(m_desk.run({"ticket", "reopen", "1"}).exit_code, 0);
    runs = m_desk.runs("reopened");
    ASSERT_EQ(runs.size(), 1u);
    EXPECT_NE(runs[0]["log"].dump().find("\"again\""), std::string::npos) << runs.dump(2);
}

}  // namespace
}  // namespace casecrypt::test
