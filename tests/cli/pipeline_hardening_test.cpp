// The incoming pipeline must not stop (issue 9): a hostile subject cannot crash it, a mail whose
// filing fails or kills the process never blocks the mails behind it and ends as an email backup
// with its cause, a mail with absurd structure is a backup naming the limit, and a different
// mail that reuses a Message-ID is filed, not hidden. Each test is named after what broke.
// Faults in our own storage are injected with a real SQLite trigger (sqlite3 CLI), not a mock.
#include <gtest/gtest.h>

#include <cstdlib>
#include <nlohmann/json.hpp>

#include "support/helpdesk.h"
#include "support/run_cli.h"

namespace casecrypt::test {
namespace {

// Runs one SQL statement on the data directory's SQLite database with the sqlite3 CLI.
void sql(const Helpdesk& desk, const std::string& statement) {
    ASSERT_EQ(desk.run({"property", "list"}).exit_code, 0);  // the database exists
    const auto db = std::filesystem::path(desk.data()) / "casecrypt.db";
    const std::string command = "sqlite3 '" + db.string() + "' \"" + statement + "\"";
    ASSERT_EQ(std::system(command.c_str()), 0) << command;
}

std::string digits(std::size_t n) {
    return std::string(n, '7');
}

long long count_messages(const Helpdesk& desk) {
    long long n = 0;
    for (const auto& t : desk.json({"ticket", "list", "--json"})) {
        n += static_cast<long long>(
            desk.json({"ticket", "show", std::to_string(t["number"].get<long long>()),
                       "--json"})["messages"]
                .size());
    }
    return n;
}

TEST(PipelineHardening, ASubjectOfFiftyThousandDigitsCrashedTheFetchAndBlockedTheMailsBehindIt) {
    Helpdesk desk;
    desk.drop("m1-good", plain_mail("First good mail", "good1@customer.test"));
    desk.drop("m2-bad", plain_mail("Ticket (" + digits(50000) + ")", "bad@customer.test"));
    desk.drop("m3-good", plain_mail("Second good mail", "good2@customer.test"));
    const auto fetched = desk.fetch();
    ASSERT_FALSE(fetched.signaled) << "killed by signal " << fetched.signal;
    ASSERT_EQ(fetched.exit_code, 0) << fetched.out << fetched.err;
    const auto tickets = desk.json({"ticket", "list", "--json"});
    std::vector<std::string> subjects;
    for (const auto& t : tickets)
        subjects.push_back(t["subject"]);
    EXPECT_NE(std::find(subjects.begin(), subjects.end(), "First good mail"), subjects.end());
    EXPECT_NE(std::find(subjects.begin(), subjects.end(), "Second good mail"), subjects.end());
    // The bad one: a new ticket (its "number" fits no ticket), nothing lost.
    EXPECT_EQ(tickets.size() + desk.json({"backup", "list", "--json"}).size(), 3u);
}

TEST(PipelineHardening, ServeKeptDyingOnTheFiftyThousandDigitSubjectEveryRound) {
    Helpdesk desk;
    desk.drop("m1-good", plain_mail("Good before", "g1@customer.test"));
    desk.drop("m2-bad", plain_mail("Ticket (" + digits(50000) + ")", "bad@customer.test"));
    desk.drop("m3-good", plain_mail("Good after", "g2@customer.test"));
    const auto served = desk.run({"serve", "--rounds", "2", "--interval", "1"});
    ASSERT_FALSE(served.signaled) << "killed by signal " << served.signal;
    EXPECT_EQ(served.exit_code, 0) << served.err;
    EXPECT_NE(served.out.find("stopped"), std::string::npos) << "ran both rounds: " << served.out;
    EXPECT_EQ(desk.json({"ticket", "list", "--json"}).size() +
                  desk.json({"backup", "list", "--json"}).size(),
              3u);
}

TEST(PipelineHardening, ATicketPatternEndingInDotStarCrashedOnA200KbSubject) {
    Helpdesk desk;
    ASSERT_EQ(desk.run({"property", "set", "cmas-core-server", "mail.ticketname.pattern",
                        "\\[Ticket#(\\d+)\\].*"})
                  .exit_code,
              0);
    desk.drop("m1", plain_mail("Opening", "open@customer.test"));
    ASSERT_EQ(desk.fetch().exit_code, 0);
    desk.drop("m2", plain_mail("[Ticket#1] " + std::string(200 * 1024, 'x'), "long@customer.test"));
    const auto fetched = desk.fetch();
    ASSERT_FALSE(fetched.signaled) << "killed by signal " << fetched.signal;
    ASSERT_EQ(fetched.exit_code, 0) << fetched.err;
    EXPECT_NE(fetched.out.find("appended to ticket 1"), std::string::npos)
        << "the pattern still matches a long subject: " << fetched.out;
}

TEST(PipelineHardening, MailSendWithASixtyThousandDigitTicketTagCrashed) {
    Helpdesk desk;
    desk.drop("m1", plain_mail("Opening", "open@customer.test"));
    ASSERT_EQ(desk.fetch().exit_code, 0);
    const auto sent = desk.run({"mail", "send", "--ticket", "1", "--from", "support@example.test",
                                "--to", "carl@customer.test", "--subject",
                                "Ticket (" + digits(60000) + ")", "--body", "Hello"});
    ASSERT_FALSE(sent.signaled) << "killed by signal " << sent.signal;
    EXPECT_EQ(sent.exit_code, 0) << sent.err;
    const auto ticket = desk.json({"ticket", "show", "1", "--json"});
    ASSERT_EQ(ticket["messages"].size(), 2u);
    EXPECT_TRUE(ticket["messages"][1]["subject"].get<std::string>().starts_with("[Ticket (1)]"))
        << "a number that does not fit is no tag: ours is added";
}

TEST(PipelineHardening, ATicketNumberTooLargeForATicketIsNoTicketNumber) {
    Helpdesk desk;
    desk.drop("m1", plain_mail("Opening", "open@customer.test"));
    ASSERT_EQ(desk.fetch().exit_code, 0);
    desk.drop("m2", plain_mail("Re: Ticket (99999999999999999999999)", "huge@customer.test"));
    const auto fetched = desk.fetch();
    ASSERT_EQ(fetched.exit_code, 0) << fetched.err;
    EXPECT_NE(fetched.out.find("new ticket 2"), std::string::npos) << fetched.out;
}

TEST(PipelineHardening, AMailWhoseFilingFailedStayedFirstInLineForever) {
    Helpdesk desk;
    sql(desk,
        "CREATE TRIGGER poison BEFORE INSERT ON ticket_messages WHEN NEW.subject = "
        "'poison' BEGIN SELECT RAISE(ABORT, 'injected fault'); END;");
    desk.drop("m1", plain_mail("poison", "poison@customer.test"));
    desk.drop("m2", plain_mail("Good one", "g1@customer.test"));
    desk.drop("m3", plain_mail("Good two", "g2@customer.test"));

    const auto first = desk.fetch();
    ASSERT_FALSE(first.signaled);
    EXPECT_EQ(first.exit_code, 1) << "a failed attempt is reported: " << first.out;
    EXPECT_NE(first.err.find("incoming 1: attempt 1 failed, to be tried again"), std::string::npos)
        << first.err;
    EXPECT_NE(first.err.find("injected fault"), std::string::npos) << first.err;
    EXPECT_EQ(desk.json({"ticket", "list", "--json"}).size(), 2u)
        << "the mails behind it are filed";

    const auto second = desk.fetch();
    EXPECT_NE(second.err.find("attempt 2 failed"), std::string::npos) << second.err;
    const auto third = desk.fetch();
    EXPECT_EQ(third.exit_code, 0) << third.err;
    EXPECT_NE(third.out.find("kept as email backup"), std::string::npos) << third.out;
    const auto backups = desk.json({"backup", "list", "--json"});
    ASSERT_EQ(backups.size(), 1u);
    const std::string cause = backups[0]["cause"];
    EXPECT_NE(cause.find("filing failed 3 times"), std::string::npos) << cause;
    EXPECT_NE(cause.find("injected fault"), std::string::npos) << cause;
    EXPECT_EQ(backups[0]["attempts"], 3);

    // Fixed, the admin retries it and it is filed (with fresh attempts).
    sql(desk, "DROP TRIGGER poison;");
    const auto retried =
        desk.run({"backup", "retry", std::to_string(backups[0]["id"].get<long long>())});
    EXPECT_EQ(retried.exit_code, 0) << retried.err;
    EXPECT_EQ(desk.json({"ticket", "list", "--json"}).size(), 3u);
}

TEST(PipelineHardening, MaxAttemptsIsAProperty) {
    Helpdesk desk;
    ASSERT_EQ(desk.run({"property", "set", "cmas-nimh", "mailbox.default.task.max.attempts", "1"})
                  .exit_code,
              0);
    sql(desk,
        "CREATE TRIGGER poison BEFORE INSERT ON ticket_messages WHEN NEW.subject = "
        "'poison' BEGIN SELECT RAISE(ABORT, 'injected fault'); END;");
    desk.drop("m1", plain_mail("poison", "poison@customer.test"));
    const auto fetched = desk.fetch();
    EXPECT_EQ(fetched.exit_code, 0) << fetched.err;
    const auto backups = desk.json({"backup", "list", "--json"});
    ASSERT_EQ(backups.size(), 1u);
    EXPECT_NE(backups[0]["cause"].get<std::string>().find("filing failed 1 times"),
              std::string::npos);
}

TEST(PipelineHardening, AMailThatKilledTheProcessEveryTimeWasTriedForever) {
    Helpdesk desk;
    desk.drop("m1", plain_mail("Deadly", "deadly@customer.test"));
    // Stored by a fetch whose processing never finished: three processes died filing it (their
    // attempts were counted before the work; nothing else of theirs stayed).
    ASSERT_EQ(desk.run({"property", "list"}).exit_code, 0);
    sql(desk,
        "CREATE TRIGGER hold BEFORE INSERT ON ticket_messages BEGIN SELECT RAISE(ABORT, "
        "'held'); END;");
    desk.fetch();
    sql(desk, "DROP TRIGGER hold; UPDATE incoming SET attempts = 3, error = NULL;");
    desk.drop("m2", plain_mail("Behind it", "behind@customer.test"));
    const auto fetched = desk.fetch();
    EXPECT_EQ(fetched.exit_code, 0) << fetched.err;
    const auto backups = desk.json({"backup", "list", "--json"});
    ASSERT_EQ(backups.size(), 1u);
    EXPECT_NE(backups[0]["cause"].get<std::string>().find(
                  "did not finish in 3 attempts (the process stopped while filing it)"),
              std::string::npos)
        << backups[0].dump();
    EXPECT_EQ(desk.json({"ticket", "list", "--json"}).size(), 1u);
}

// A plain mail's header with another Content-Type, and this body.
std::string mail_with(const std::string& message_id, const std::string& content_type,
                      const std::string& body) {
    return "From: Carl Customer <carl@customer.test>\nTo: support@example.test\nSubject: "
           "Structure\nMessage-ID: <" +
           message_id +
           ">\nDate: Sat, 28 Nov 2026 08:00:00 +0000\nMIME-Version: 1.0\nContent-Type: " +
           content_type + "\n\n" + body;
}

std::string many_parts_mail(const std::string& message_id, int parts) {
    std::string body = "--b\nContent-Type: text/plain\n\nthe text\n";
    for (int i = 1; i < parts; ++i) {
        body +=
            "--b\nContent-Type: application/octet-stream\nContent-Disposition: attachment; "
            "filename=p" +
            std::to_string(i) + ".bin\n\nx\n";
    }
    return mail_with(message_id, "multipart/mixed; boundary=b", body + "--b--\n");
}

std::string nested_mail(const std::string& message_id, int depth) {
    std::string body, tail;
    for (int i = 1; i < depth; ++i) {
        body += "--n" + std::to_string(i) + "\nContent-Type: multipart/mixed; boundary=n" +
                std::to_string(i + 1) + "\n\n";
        tail = "--n" + std::to_string(i + 1) + "--\n" + tail;
    }
    body += "--n" + std::to_string(depth) + "\nContent-Type: text/plain\n\ndeep\n" + tail;
    return mail_with(message_id, "multipart/mixed; boundary=n1", body + "--n1--\n");
}

TEST(PipelineHardening, AMailWithFiftyThousandPartsTookFiveMinutes) {
    Helpdesk desk;
    desk.drop("many", many_parts_mail("many@customer.test", 50000));
    desk.drop("ok", many_parts_mail("ok@customer.test", 999));
    const auto fetched = desk.fetch();
    ASSERT_EQ(fetched.exit_code, 0) << fetched.err;
    const auto backups = desk.json({"backup", "list", "--json"});
    ASSERT_EQ(backups.size(), 1u) << fetched.out;
    const std::string cause = backups[0]["cause"];
    EXPECT_NE(cause.find("more than 1000 MIME parts (cmas-nimh / mailbox.default.task.max.parts)"),
              std::string::npos)
        << cause;
    EXPECT_EQ(desk.json({"ticket", "list", "--json"}).size(), 1u)
        << "a body and 998 attachments fit";
}

TEST(PipelineHardening, DeeplyNestedPartsHaveALimitToo) {
    Helpdesk desk;
    desk.drop("deep", nested_mail("deep@customer.test", 40));
    desk.drop("shallow", nested_mail("shallow@customer.test", 10));
    const auto fetched = desk.fetch();
    ASSERT_FALSE(fetched.signaled);
    ASSERT_EQ(fetched.exit_code, 0) << fetched.err;
    const auto backups = desk.json({"backup", "list", "--json"});
    ASSERT_EQ(backups.size(), 1u) << fetched.out;
    EXPECT_NE(backups[0]["cause"].get<std::string>().find(
                  "nested deeper than 32 levels (cmas-nimh / mailbox.default.task.max.depth)"),
              std::string::npos)
        << backups[0].dump();
    EXPECT_EQ(desk.json({"ticket", "list", "--json"}).size(), 1u);
}

TEST(PipelineHardening, ADifferentMailReusingAMessageIdWasHiddenAsACopy) {
    Helpdesk desk;
    desk.drop("m1", plain_mail("First", "same@customer.test", "", "One text\n"));
    ASSERT_EQ(desk.fetch().exit_code, 0);
    desk.drop("m2", plain_mail("Second, different", "same@customer.test", "", "Another text\n"));
    const auto fetched = desk.fetch();
    ASSERT_EQ(fetched.exit_code, 0) << fetched.err;
    EXPECT_EQ(fetched.out.find("a copy of a mail already in ticket"), std::string::npos)
        << fetched.out;
    EXPECT_NE(fetched.out.find("reuses an earlier Message-ID"), std::string::npos) << fetched.out;
    EXPECT_EQ(count_messages(desk), 2) << "both mails are in a ticket";
    const auto tickets = desk.json({"ticket", "list", "--json"});
    bool noted = false;
    for (const auto& t : tickets) {
        const auto ticket =
            desk.json({"ticket", "show", std::to_string(t["number"].get<long long>()), "--json"});
        for (const auto& m : ticket["messages"]) {
            for (const auto& note : m["notes"]) {
                noted =
                    noted || note.get<std::string>().find(
                                 "reuses the Message-ID <same@customer.test>") != std::string::npos;
            }
        }
    }
    EXPECT_TRUE(noted) << "the ticket history notes the reuse";
    const auto shown = desk.run({"ticket", "show", "2"});
    EXPECT_NE(shown.out.find("note: this mail reuses the Message-ID"), std::string::npos)
        << shown.out;
}

TEST(PipelineHardening, TheSameMailWithOtherTransportHeadersIsStillOneCopy) {
    Helpdesk desk;
    desk.drop("m1",
              plain_mail("Hello", "copy@customer.test", "Delivered-To: support@example.test\n"));
    desk.drop("m2", plain_mail("Hello", "copy@customer.test",
                               "Delivered-To: sales@example.test\n"
                               "Received: from mx2 by us\n"));
    const auto fetched = desk.fetch();
    ASSERT_EQ(fetched.exit_code, 0) << fetched.err;
    EXPECT_NE(fetched.out.find("a copy of a mail already in ticket 1"), std::string::npos)
        << fetched.out;
    EXPECT_EQ(count_messages(desk), 1);
}

}  // namespace
}  // namespace casecrypt::test
