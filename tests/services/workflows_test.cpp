// services::Workflows without Lua: the events that fire workflows (recorded with what caused them,
// run after the commit, once), timers claimed once per period by several installations on one
// database, the chain limit, machine mail that fires nothing, and the SendRequest fields
// workflows use (dry run, a mail's own missing-certificate policy, Auto-Submitted, Reply-To).
// The engine here is a test double behind the ScriptEngine interface: it records what it was
// asked to run and does what the test tells it; the Lua engine has its own tests
// (tests/workflow).
#include "services/workflows.h"

#include <gtest/gtest.h>

#include <fstream>

#include "core/file_io.h"
#include "crypto/openssl_error.h"
#include "services/installation.h"
#include "support/run_cli.h"

namespace casecrypt::services {
namespace {

using test::fixtures_dir;

class SettableClock final : public Clock {
public:
    TimePoint now() const override { return m_at; }
    void set(TimePoint at) { m_at = at; }
    void advance(std::chrono::seconds by) { m_at += by; }

private:
    // From now: the fixtures' certificates are valid from when they were made.
    TimePoint m_at = SystemClock().now();
};

// Records every run; `action` (if set) runs inside the run, like a script's calls would.
struct Recorder {
    std::vector<WorkflowTrigger> runs;
    std::vector<std::string> names;
    std::function<void(const WorkflowView&, const WorkflowTrigger&)> action;
};

class ScriptedEngine final : public ScriptEngine {
public:
    explicit ScriptedEngine(Recorder& recorder) : m_recorder(recorder) {}
    std::optional<ScriptProblem> check(const std::string& name,
                                       const std::string& source) override {
        if (source.find("syntax error") != std::string::npos)
            return ScriptProblem{name + ":2: syntax error near 'error'", 2};
        return std::nullopt;
    }
    WorkflowRunResult run(const WorkflowView& workflow, const WorkflowTrigger& trigger) override {
        m_recorder.runs.push_back(trigger);
        m_recorder.names.push_back(workflow.name);
        if (m_recorder.action)
            m_recorder.action(workflow, trigger);
        WorkflowRunResult result;
        result.log.push_back("ran " + workflow.name);
        return result;
    }

private:
    Recorder& m_recorder;
};

class WorkflowsTest : public ::testing::Test {
protected:
    void SetUp() override {
        ASSERT_TRUE(crypto::init_openssl());
        m_installation = open(m_recorder);
        ASSERT_TRUE(m_installation);
    }

    std::unique_ptr<Installation> open(Recorder& recorder) {
        InstallationOptions options;
        options.data_dir = m_dir.path();
        options.script_engine = [&recorder](Installation&) {
            return std::make_unique<ScriptedEngine>(recorder);
        };
        auto opened = Installation::open(options, m_clock);
        EXPECT_TRUE(opened) << opened.error().message();
        return opened ? std::move(*opened) : nullptr;
    }

    void add(const std::string& name, WorkflowEvent event, std::optional<int> every = {}) {
        auto added = m_installation->workflows().add({.name = name,
                                                      .event = event,
                                                      .every_minutes = every,
                                                      .script = "-- ok",
                                                      .enabled = true},
                                                     "test");
        ASSERT_TRUE(added) << added.error().message();
    }

    // Drops a mail into the local mailbox, fetches and processes it; the round's outcome.
    ProcessOutcome deliver(const std::string& name, const std::string& bytes) {
        const auto incoming = m_dir.path() / "mail" / "incoming";
        std::filesystem::create_directories(incoming);
        std::ofstream(incoming / ("." + name + ".tmp"), std::ios::binary) << bytes;
        std::filesystem::rename(incoming / ("." + name + ".tmp"), incoming / (name + ".eml"));
        auto fetched = m_installation->incoming().fetch("local");
        EXPECT_TRUE(fetched) << fetched.error().message();
        auto processed = m_installation->incoming().process_pending();
        EXPECT_TRUE(processed) << processed.error().message();
        if (!processed || processed->outcomes.size() != 1)
            return {};
        return processed->outcomes.front();
    }

    test::TempDir m_dir;
    SettableClock m_clock;
    Recorder m_recorder;
    std::unique_ptr<Installation> m_installation;
};

TEST_F(WorkflowsTest, ANewTicketRunsItsWorkflowsAfterTheMailIsFiled) {
    add("ack", WorkflowEvent::ticket_created);
    add("on-reply", WorkflowEvent::email_received);
    std::optional<TicketView> seen;
    m_recorder.action = [&](const WorkflowView&, const WorkflowTrigger& trigger) {
        // Committed before the script runs: the ticket and its mail are there to be read.
        auto view = m_installation->tickets().show(*trigger.ticket);
        ASSERT_TRUE(view) << view.error().message();
        seen = *view;
    };
    const auto first = deliver("first",
                               "From: carl@customer.test\nTo: support@example.test\n"
                               "Message-ID: <first@customer.test>\n"
                               "Subject: printer\n\nit is broken\n");
    ASSERT_EQ(first.outcome, MailOutcome::new_ticket);
    ASSERT_EQ(m_recorder.runs.size(), 1u);
    EXPECT_EQ(m_recorder.names[0], "ack");
    EXPECT_EQ(m_recorder.runs[0].event, WorkflowEvent::ticket_created);
    EXPECT_EQ(m_recorder.runs[0].ticket, first.ticket);
    EXPECT_EQ(m_recorder.runs[0].ticket_message, first.ticket_message);
    ASSERT_TRUE(seen);
    EXPECT_EQ(seen->messages.size(), 1u);

    const auto reply = deliver("reply",
                               "From: carl@customer.test\nTo: support@example.test\n"
                               "In-Reply-To: <first@customer.test>\n"
                               "Subject: Re: printer\n\nstill broken\n");
    ASSERT_EQ(reply.outcome, MailOutcome::appended);
    ASSERT_EQ(m_recorder.runs.size(), 2u);
    EXPECT_EQ(m_recorder.names[1], "on-reply");
    EXPECT_EQ(m_recorder.runs[1].event, WorkflowEvent::email_received);

    // Each run is recorded with its outcome and log; the event is gone (runs once).
    auto runs = m_installation->workflows().runs("", 10);
    ASSERT_TRUE(runs) << runs.error().message();
    ASSERT_EQ(runs->size(), 2u);
    EXPECT_EQ((*runs)[0].workflow, "on-reply");
    EXPECT_EQ((*runs)[0].outcome, WorkflowRunOutcome::ok);
    EXPECT_EQ((*runs)[0].actor, "event");
    EXPECT_EQ((*runs)[0].log, std::vector<std::string>{"ran on-reply"});
    auto again = m_installation->workflows().dispatch_pending();
    ASSERT_TRUE(again);
    EXPECT_EQ(*again, 0);
}

TEST_F(WorkflowsTest, MachineMailAndOurOwnMailFireNothingButAreFiled) {
    add("ack", WorkflowEvent::ticket_created);
    std::string password = read_file(fixtures_dir() / "server/ok-aes256.pass").value_or("");
    if (!password.empty() && password.back() == '\n')
        password.pop_back();
    ASSERT_TRUE(m_installation->certificates().import_server(
        fixtures_dir() / "server/ok-aes256.p12", Secret(password), "test"));

    EXPECT_EQ(deliver("vacation",
                      "From: carl@customer.test\nTo: support@example.test\n"
                      "Auto-Submitted: auto-replied\nSubject: Out of office\n\naway\n")
                  .outcome,
              MailOutcome::new_ticket);
    EXPECT_EQ(deliver("list",
                      "From: news@customer.test\nTo: support@example.test\n"
                      "Precedence: bulk\nSubject: News\n\nnews\n")
                  .outcome,
              MailOutcome::new_ticket);
    EXPECT_EQ(deliver("ours",
                      "From: Support <SUPPORT@example.test>\nTo: support@example.test\n"
                      "Subject: Ticket acknowledgement\n\nwe got it\n")
                  .outcome,
              MailOutcome::new_ticket);
    EXPECT_TRUE(m_recorder.runs.empty()) << m_recorder.runs.size() << " runs";
    // "Auto-Submitted: no" is a person's mail (RFC 3834 section 5).
    EXPECT_EQ(deliver("person",
                      "From: carl@customer.test\nTo: support@example.test\n"
                      "Auto-Submitted: no\nSubject: a question\n\nhello\n")
                  .outcome,
              MailOutcome::new_ticket);
    EXPECT_EQ(m_recorder.runs.size(), 1u);
}

TEST_F(WorkflowsTest, AStatusChangeFiresOnceAndTheSameStatusFiresNothing) {
    add("survey", WorkflowEvent::ticket_closed);
    add("welcome-back", WorkflowEvent::ticket_reopened);
    const auto filed = deliver("mail",
                               "From: carl@customer.test\nTo: support@example.test\n"
                               "Subject: printer\n\nbroken\n");
    ASSERT_EQ(filed.outcome, MailOutcome::new_ticket);
    auto& tickets = m_installation->tickets();
    ASSERT_TRUE(tickets.set_status(filed.ticket, TicketStatus::closed, "cli:root"));
    ASSERT_EQ(m_recorder.runs.size(), 1u);
    EXPECT_EQ(m_recorder.names[0], "survey");
    EXPECT_EQ(m_recorder.runs[0].ticket, filed.ticket);
    ASSERT_TRUE(tickets.set_status(filed.ticket, TicketStatus::closed, "cli:root"));
    EXPECT_EQ(m_recorder.runs.size(), 1u) << "closing a closed ticket is no change";
    ASSERT_TRUE(tickets.set_status(filed.ticket, TicketStatus::open, "cli:root"));
    ASSERT_EQ(m_recorder.runs.size(), 2u);
    EXPECT_EQ(m_recorder.names[1], "welcome-back");

    // A disabled workflow is not fired, and no event waits for it.
    ASSERT_TRUE(m_installation->workflows().set_enabled("survey", false, "test"));
    ASSERT_TRUE(tickets.set_status(filed.ticket, TicketStatus::closed, "cli:root"));
    EXPECT_EQ(m_recorder.runs.size(), 2u);
}

TEST_F(WorkflowsTest, WorkflowsThatTriggerEachOtherStopAtTheChainLimit) {
    add("close-it", WorkflowEvent::ticket_reopened);
    add("reopen-it", WorkflowEvent::ticket_closed);
    m_recorder.action = [&](const WorkflowView& w, const WorkflowTrigger& trigger) {
        const auto next = w.name == "reopen-it" ? TicketStatus::open : TicketStatus::closed;
        ASSERT_TRUE(m_installation->tickets().set_status(*trigger.ticket, next, "workflow:x"));
    };
    const auto filed = deliver("mail",
                               "From: carl@customer.test\nTo: support@example.test\n"
                               "Subject: ping pong\n\n.\n");
    ASSERT_TRUE(m_installation->tickets().set_status(filed.ticket, TicketStatus::closed, "me"));
    // Depth 0 (the person's close) to kMaxEventDepth ran; the next was recorded as stopped.
    EXPECT_EQ(m_recorder.runs.size(), static_cast<std::size_t>(kMaxEventDepth + 1));
    auto runs = m_installation->workflows().runs("", 100);
    ASSERT_TRUE(runs);
    ASSERT_EQ(runs->size(), static_cast<std::size_t>(kMaxEventDepth + 2));
    EXPECT_EQ(runs->front().outcome, WorkflowRunOutcome::stopped);
    EXPECT_NE(runs->front().error.find("chain of"), std::string::npos) << runs->front().error;
}

TEST_F(WorkflowsTest, ATimerRunsOncePerPeriodAcrossInstallationsOnOneDatabase) {
    Recorder other_recorder;
    auto other = open(other_recorder);
    ASSERT_TRUE(other);
    add("remind", WorkflowEvent::timer, 5);
    auto next = m_installation->workflows().next_timer();
    ASSERT_TRUE(next && *next);
    EXPECT_EQ(**next, m_clock.now() + std::chrono::minutes(5));
    auto& mine = m_installation->workflows();
    auto& theirs = other->workflows();
    EXPECT_EQ(mine.run_due_timers().value_or(-1), 0) << "not due before its period";
    for (int period = 1; period <= 3; ++period) {
        m_clock.advance(std::chrono::minutes(5));
        // Whoever comes first runs it; the other finds the period taken.
        auto& first = period % 2 ? mine : theirs;
        auto& second = period % 2 ? theirs : mine;
        EXPECT_EQ(first.run_due_timers().value_or(-1), 1) << "period " << period;
        EXPECT_EQ(second.run_due_timers().value_or(-1), 0) << "period " << period;
        EXPECT_EQ(first.run_due_timers().value_or(-1), 0) << "period " << period;
    }
    EXPECT_EQ(m_recorder.runs.size() + other_recorder.runs.size(), 3u);
    // Periods missed while nothing ran are skipped, not made up in a burst.
    m_clock.advance(std::chrono::hours(2));
    EXPECT_EQ(mine.run_due_timers().value_or(-1), 1);
    EXPECT_EQ(mine.run_due_timers().value_or(-1), 0);
    next = mine.next_timer();
    ASSERT_TRUE(next && *next);
    EXPECT_EQ(**next, m_clock.now() + std::chrono::minutes(5));
}

TEST_F(WorkflowsTest, AddingChecksTheScriptNameAndPeriod) {
    auto& workflows = m_installation->workflows();
    auto bad = workflows.add({.name = "ack",
                              .event = WorkflowEvent::ticket_created,
                              .every_minutes = {},
                              .script = "x = 1\nsyntax error",
                              .enabled = true},
                             "test");
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().code(), Errc::rejected);
    EXPECT_NE(bad.error().message().find("ack:2:"), std::string::npos) << bad.error().message();
    EXPECT_FALSE(workflows.add({.name = "has space",
                                .event = WorkflowEvent::ticket_created,
                                .every_minutes = {},
                                .script = "",
                                .enabled = true},
                               "test"));
    EXPECT_FALSE(workflows.add({.name = "t",
                                .event = WorkflowEvent::timer,
                                .every_minutes = {},
                                .script = "",
                                .enabled = true},
                               "test"));
    EXPECT_FALSE(workflows.add({.name = "c",
                                .event = WorkflowEvent::ticket_closed,
                                .every_minutes = 5,
                                .script = "",
                                .enabled = true},
                               "test"));
    add("ack", WorkflowEvent::ticket_created);
    auto twice = workflows.add({.name = "ack",
                                .event = WorkflowEvent::ticket_created,
                                .every_minutes = {},
                                .script = "",
                                .enabled = true},
                               "test");
    ASSERT_FALSE(twice);
    EXPECT_EQ(twice.error().code(), Errc::conflict);
    // Changes are audited with who made them.
    ASSERT_TRUE(workflows.update_script("ack", "-- v2", "alice"));
    ASSERT_TRUE(workflows.set_enabled("ack", false, "alice"));
    ASSERT_TRUE(workflows.remove("ack", "alice"));
    auto audit = m_installation->audit().recent(10);
    ASSERT_TRUE(audit);
    std::vector<std::string> actions;
    for (const auto& e : *audit) {
        if (e.action.starts_with("workflow."))
            actions.push_back(e.action + " " + e.actor);
    }
    EXPECT_EQ(actions, (std::vector<std::string>{"workflow.remove alice", "workflow.disable alice",
                                                 "workflow.update alice", "workflow.add test"}));
    EXPECT_EQ(workflows.get("ack").error().code(), Errc::not_found);
}

TEST_F(WorkflowsTest, WithoutAnEngineEventsWaitAndScriptsAreRefused) {
    Recorder unused;
    InstallationOptions options;
    options.data_dir = m_dir.path();
    auto bare = Installation::open(options, m_clock);
    ASSERT_TRUE(bare);
    auto added = (*bare)->workflows().add({.name = "ack",
                                           .event = WorkflowEvent::ticket_created,
                                           .every_minutes = {},
                                           .script = "",
                                           .enabled = true},
                                          "test");
    ASSERT_FALSE(added);
    EXPECT_EQ(added.error().code(), Errc::internal);
}

TEST_F(WorkflowsTest, ADryRunDecidesAndQueuesNothing) {
    SendRequest r;
    r.from = "support@example.test";
    r.to = {"alice@example.test"};
    r.subject = "Reminder";
    r.text = "hello\n";
    r.dry_run = true;
    ASSERT_TRUE(m_installation->properties().set(kCoreModule, kMailEncryption, "true", "test"));
    auto report = m_installation->outbox().send_now(r);
    ASSERT_TRUE(report) << report.error().message();
    EXPECT_EQ(report->decision, SendDecision::unencrypted_missing_certificate);
    EXPECT_EQ(report->sentence, "would be sent unencrypted: no certificate for alice@example.test");
    EXPECT_TRUE(report->outbox_ids.empty());
    auto listed = m_installation->outbox().list();
    ASSERT_TRUE(listed);
    EXPECT_TRUE(listed->empty());
}

TEST_F(WorkflowsTest, AMailsOwnRejectPolicyHoldsOnRetryWhateverThePropertySays) {
    ASSERT_TRUE(m_installation->properties().set(kCoreModule, kMailEncryption, "true", "test"));
    ASSERT_TRUE(m_installation->properties().set(kCoreModule, kMissingCertificatePolicy,
                                                 "unencrypted", "test"));
    SendRequest r;
    r.from = "support@example.test";
    r.to = {"alice@example.test"};
    r.reply_to = {"Helpdesk <helpdesk@example.test>"};
    r.subject = "Never in clear";
    r.text = "secret reminder\n";
    r.auto_submitted = true;
    r.missing_certificate_policy = "reject";
    auto report = m_installation->outbox().send_now(r);
    ASSERT_TRUE(report) << report.error().message();
    EXPECT_EQ(report->decision, SendDecision::rejected);
    EXPECT_NE(report->sentence.find("this mail's own"), std::string::npos) << report->sentence;
    ASSERT_EQ(report->outbox_ids.size(), 1u);
    auto retried = m_installation->outbox().retry_now(report->outbox_ids[0], "test");
    ASSERT_FALSE(retried) << "a retry must not send it unencrypted";
    EXPECT_EQ(retried.error().code(), Errc::rejected);

    // With the recipient's certificate it goes, encrypted, with Auto-Submitted and Reply-To.
    ASSERT_TRUE(m_installation->certificates().import_client(
        fixtures_dir() / "client/ok-rsa2048-dn-email.pem", "test"));
    retried = m_installation->outbox().retry_now(report->outbox_ids[0], "test");
    ASSERT_TRUE(retried) << retried.error().message();
    EXPECT_TRUE(retried->encrypted);

    r.subject = "plain one";
    r.missing_certificate_policy.reset();
    r.encrypt = false;
    auto plain = m_installation->outbox().send_now(r);
    ASSERT_TRUE(plain) << plain.error().message();
    const auto file =
        m_dir.path() / "mail" / "outgoing" / (std::to_string(plain->outbox_ids[0]) + ".eml");
    auto mail = read_file(file);
    ASSERT_TRUE(mail) << file;
    EXPECT_NE(mail->find("Auto-Submitted: auto-generated"), std::string::npos) << *mail;
    EXPECT_NE(mail->find("Reply-To: Helpdesk <helpdesk@example.test>"), std::string::npos) << *mail;

    r.missing_certificate_policy = "maybe";
    auto refused = m_installation->outbox().send_now(r);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code(), Errc::rejected);
}

TEST_F(WorkflowsTest, NotesAreInTheTicketsHistory) {
    const auto filed = deliver("mail",
                               "From: carl@customer.test\nTo: support@example.test\n"
                               "Subject: printer\n\nbroken\n");
    auto note =
        m_installation->tickets().add_note(filed.ticket, "called the customer", "workflow:ack");
    ASSERT_TRUE(note) << note.error().message();
    auto view = m_installation->tickets().show(filed.ticket);
    ASSERT_TRUE(view);
    ASSERT_EQ(view->notes.size(), 1u);
    EXPECT_EQ(view->notes[0].author, "workflow:ack");
    EXPECT_EQ(view->notes[0].text, "called the customer");
    EXPECT_EQ(m_installation->tickets().add_note(999, "x", "a").error().code(), Errc::not_found);
    EXPECT_FALSE(m_installation->tickets().add_note(filed.ticket, "", "a"));
}

}  // namespace
}  // namespace casecrypt::services
