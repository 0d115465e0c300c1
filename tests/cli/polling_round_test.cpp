// The polling round behind `mail fetch` and `serve` (services::PollingRound): each outcome
// counted once, in all and per account, `mail fetch --json` as one object, an unreadable
// account named in the report; `serve` stamping its round summaries with the time; and the
// typed views the incoming commands print (addresses, attachment ids, empty listings, tables
// with a header row, help with an example).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <regex>

#include "support/helpdesk.h"
#include "support/run_cli.h"

namespace casecrypt::test {
namespace {

// New ticket, appended (a reply to it), a second copy of the first, and an encrypted mail for
// an identity we do not have (an email backup).
void drop_four(const Helpdesk& desk) {
    desk.drop("a-new", plain_mail("Printer on fire", "first@customer.test"));
    desk.drop("b-reply", plain_mail("Re: Printer on fire", "reply@customer.test",
                                    "In-Reply-To: <first@customer.test>\n"));
    desk.drop("c-copy", plain_mail("Printer on fire", "first@customer.test"));
    desk.drop("d-backup", slurp(fx("smime/01-aes256-cbc.eml")));
}

void expect_counts(const nlohmann::json& o, int fetched, int new_tickets, int appended, int backups,
                   int duplicates, int failed) {
    EXPECT_EQ(o["fetched"], fetched) << o.dump();
    EXPECT_EQ(o["new_tickets"], new_tickets) << o.dump();
    EXPECT_EQ(o["appended"], appended) << o.dump();
    EXPECT_EQ(o["backups"], backups) << o.dump();
    EXPECT_EQ(o["duplicates"], duplicates) << o.dump();
    EXPECT_EQ(o["failed"], failed) << o.dump();
}

TEST(PollingRound, EachOutcomeIsCountedOnceAndADuplicateIsNotFiled) {
    Helpdesk desk;
    drop_four(desk);
    const auto fetched = desk.fetch();
    ASSERT_EQ(fetched.exit_code, 0) << fetched.err;
    EXPECT_NE(fetched.out.find("2 filed into tickets, 1 kept as email backups, 1 copy of mail "
                               "already filed"),
              std::string::npos)
        << fetched.out;
    EXPECT_NE(fetched.out.find("local: 4 new mails stored"), std::string::npos) << fetched.out;
    EXPECT_EQ(desk.json({"ticket", "show", "1", "--json"})["messages"].size(), 2u);
}

TEST(PollingRound, MailFetchJsonIsOneObjectWithTheCountsInAllAndPerAccount) {
    Helpdesk desk;
    drop_four(desk);
    const auto r = desk.run({"mail", "fetch", "--json"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto o = nlohmann::json::parse(r.out);
    ASSERT_TRUE(o.is_object());
    std::vector<std::string> keys;
    for (const auto& [key, value] : o.items())
        keys.push_back(key);
    EXPECT_EQ(keys, (std::vector<std::string>{"accounts", "appended", "backups", "duplicates",
                                              "failed", "fetched", "new_tickets"}));
    expect_counts(o, 4, 1, 1, 1, 1, 0);
    ASSERT_EQ(o["accounts"].size(), 1u);
    const auto& local = o["accounts"][0];
    EXPECT_EQ(local["name"], "local");
    EXPECT_TRUE(local["error"].is_null());
    expect_counts(local, 4, 1, 1, 1, 1, 0);

    const auto again = desk.run({"mail", "fetch", "--json"});
    ASSERT_EQ(again.exit_code, 0) << again.err;
    expect_counts(nlohmann::json::parse(again.out), 0, 0, 0, 0, 0, 0);
}

TEST(PollingRound, AnUnreadableAccountHasItsErrorInTheReportAndExitsOne) {
    Helpdesk desk;
    ASSERT_EQ(desk.run({"account", "add", "broken", "--url", "imap://127.0.0.1:1/INBOX"}).exit_code,
              0);
    desk.drop("a", plain_mail("Still filed", "still@customer.test"));
    const auto r = desk.run({"mail", "fetch", "--json"});
    EXPECT_EQ(r.exit_code, 1) << "an account could not be read";
    const auto o = nlohmann::json::parse(r.out);
    expect_counts(o, 1, 1, 0, 0, 0, 0);
    ASSERT_EQ(o["accounts"].size(), 2u);
    EXPECT_EQ(o["accounts"][0]["name"], "broken");
    ASSERT_TRUE(o["accounts"][0]["error"].is_string());
    EXPECT_FALSE(o["accounts"][0]["error"].get<std::string>().empty());
    expect_counts(o["accounts"][0], 0, 0, 0, 0, 0, 0);
    EXPECT_EQ(o["accounts"][1]["name"], "local");
    EXPECT_TRUE(o["accounts"][1]["error"].is_null());
    expect_counts(o["accounts"][1], 1, 1, 0, 0, 0, 0);
}

TEST(PollingRound, ServeStampsEachRoundSummaryAndSaysWhenAnAccountCouldNotBeRead) {
    Helpdesk desk;
    ASSERT_EQ(desk.run({"account", "add", "broken", "--url", "imap://127.0.0.1:1/INBOX"}).exit_code,
              0);
    drop_four(desk);
    const auto r = desk.run({"serve", "--rounds", "1"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const std::regex summary(
        R"((^|\n)\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ 4 new mails fetched; 2 filed into tickets, 1 kept as email backups, 1 copy of mail already filed\n)");
    EXPECT_TRUE(std::regex_search(r.out, summary)) << r.out;
    const std::regex unreadable(
        R"((^|\n)\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ account broken could not be read: )");
    EXPECT_TRUE(std::regex_search(r.out, unreadable)) << r.out;
}

TEST(TicketViews, ShowPrintsAddressesAsAddressesAndAttachmentIds) {
    Helpdesk desk;
    desk.drop("m",
              "From: Carl Customer <carl@customer.test>\n"
              "To: support@example.test, \"Bob, the boss\" <bob@customer.test>\n"
              "Cc: team@customer.test\nSubject: Report\nMessage-ID: <att@customer.test>\n"
              "Date: Sat, 28 Nov 2026 08:00:00 +0000\nMIME-Version: 1.0\n"
              "Content-Type: multipart/mixed; boundary=b\n\n--b\n"
              "Content-Type: text/plain; charset=utf-8\n\nSee attached.\n--b\n"
              "Content-Type: application/pdf\n"
              "Content-Disposition: attachment; filename=report.pdf\n\nPDF\n--b--\n");
    ASSERT_EQ(desk.fetch().exit_code, 0);
    const auto json = desk.json({"ticket", "show", "1", "--json"});
    const auto& m = json["messages"][0];
    ASSERT_EQ(m["attachments"].size(), 1u);
    const long long id = m["attachments"][0]["id"].get<long long>();
    EXPECT_EQ(m["to"],
              (nlohmann::json{"support@example.test", "\"Bob, the boss\" <bob@customer.test>"}));
    EXPECT_EQ(m["cc"], (nlohmann::json{"team@customer.test"}));

    const auto shown = desk.run({"ticket", "show", "1"});
    ASSERT_EQ(shown.exit_code, 0) << shown.err;
    EXPECT_NE(shown.out.find("   to support@example.test, \"Bob, the boss\" <bob@customer.test> "
                             "cc team@customer.test\n"),
              std::string::npos)
        << shown.out;
    EXPECT_EQ(shown.out.find("[\""), std::string::npos) << "no JSON arrays: " << shown.out;
    EXPECT_NE(shown.out.find("   attachment " + std::to_string(id) +
                             ": report.pdf (application/pdf, 3 bytes)"),
              std::string::npos)
        << shown.out;
    const auto out = std::filesystem::path(desk.data()) / "report.pdf";
    const auto saved =
        desk.run({"ticket", "attachment", std::to_string(id), "--out", out.string()});
    ASSERT_EQ(saved.exit_code, 0) << saved.err;
    EXPECT_EQ(slurp(out), "PDF") << "the line end before a boundary belongs to the boundary";
    EXPECT_EQ(desk.run({"ticket", "attachment", "999", "--out", out.string()}).exit_code, 3);
}

TEST(TicketViews, EmptyListingsSaySoAndTablesHaveAHeaderRow) {
    Helpdesk desk;
    EXPECT_EQ(desk.run({"ticket", "list"}).out, "no tickets\n");
    EXPECT_EQ(desk.run({"backup", "list"}).out, "no backups\n");
    EXPECT_EQ(desk.run({"ticket", "list", "--json"}).out, "[]\n") << "JSON stays an array";
    const auto accounts = desk.run({"account", "list"});
    // Aligned columns: "local" is padded to the width of "NAME" and two spaces.
    EXPECT_EQ(accounts.out.rfind("NAME   URL", 0), 0u) << accounts.out;
    EXPECT_NE(accounts.out.find("LAST FETCH  LAST ERROR\nlocal  dir://"), std::string::npos)
        << accounts.out;
    ASSERT_EQ(desk.run({"account", "remove", "local"}).exit_code, 0);
    EXPECT_EQ(desk.run({"account", "list"}).out, "no accounts\n");

    Helpdesk filled;
    filled.drop("a", plain_mail("Hello", "hello@customer.test"));
    filled.drop("b", slurp(fx("smime/01-aes256-cbc.eml")));
    ASSERT_EQ(filled.fetch().exit_code, 0);
    const auto tickets = filled.run({"ticket", "list"}).out;
    EXPECT_EQ(tickets.rfind("NUMBER  STATUS  UPDATED", 0), 0u) << tickets;
    EXPECT_NE(tickets.find("SUBJECT\n1       open    "), std::string::npos) << tickets;
    EXPECT_EQ(filled.run({"backup", "list"}).out.rfind("ID  RECEIVED  MAILBOX  FROM  SUBJECT\n", 0),
              0u);
}

TEST(TicketViews, EveryIncomingCommandsHelpDescribesItsArgumentsAndEndsWithAnExample) {
    const std::vector<std::vector<std::string>> commands = {
        {"account", "add"},     {"account", "list"},  {"account", "remove"},
        {"mail", "fetch"},      {"backup", "list"},   {"backup", "show"},
        {"backup", "download"}, {"backup", "retry"},  {"backup", "delete"},
        {"ticket", "list"},     {"ticket", "show"},   {"ticket", "attachment"},
        {"ticket", "close"},    {"ticket", "reopen"}, {"serve"}};
    for (auto args : commands) {
        const std::string name = args.size() == 1 ? args[0] : args[0] + " " + args[1];
        args.push_back("--help");
        const auto r = run_cli(args);
        EXPECT_EQ(r.exit_code, 0) << name;
        const auto example = r.out.rfind("Example:\n  casecrypt " + args[0]);
        EXPECT_NE(example, std::string::npos) << name << ":\n" << r.out;
        EXPECT_EQ(r.out.find('\n', r.out.find('\n', example) + 1), r.out.size() - 1)
            << name << ": the example ends the help:\n"
            << r.out;
    }
}

}  // namespace
}  // namespace casecrypt::test
