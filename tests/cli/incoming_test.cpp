// Incoming mail through the embedded default mailbox (the `local` account, a directory): every
// S/MIME case of tests/data/make-smime-fixtures.sh (openssl and gpgsm mails) becomes a ticket
// message or an email backup as its row says; tickets thread by tag and by reply; backups are
// retried after the missing identity is imported; accounts keep passwords sealed. The same
// pipeline over real IMAP/POP3 servers is in tests/integration/.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "support/helpdesk.h"
#include "support/openssl_cli.h"
#include "support/run_cli.h"
#include "support/smime_cases.h"

namespace casecrypt::test {
namespace {

class IncomingCases : public ::testing::TestWithParam<SmimeCase> {};

TEST_P(IncomingCases, EachMailBecomesATicketMessageOrABackupAsItsRowSays) {
    const SmimeCase& c = GetParam();
    SCOPED_TRACE(c.file + ": " + c.description);
    Helpdesk desk;
    if (c.p12 != "-")
        desk.import_server(c.p12, c.password_file);
    ASSERT_EQ(desk.run({"cert", "import-ca", fx("ca/ca.pem")}).exit_code, 0);
    desk.drop("mail", slurp(fx(c.file)));
    const auto fetched = desk.fetch();
    ASSERT_FALSE(fetched.signaled) << fetched.err;
    ASSERT_EQ(fetched.exit_code, 0) << fetched.out << fetched.err;
    EXPECT_TRUE(std::filesystem::exists(desk.incoming() / "processed" / "mail.eml"))
        << "a processed file is moved aside";

    const auto backups = desk.json({"backup", "list", "--json"});
    const auto tickets = desk.json({"ticket", "list", "--json"});
    // For a mailbox, a mail that is not S/MIME is just an unencrypted mail.
    const bool filed = c.expect != "reject" || c.error == "not an S/MIME";
    if (!filed) {
        ASSERT_EQ(backups.size(), 1u) << fetched.out;
        EXPECT_EQ(tickets.size(), 0u);
        const auto& b = backups[0];
        EXPECT_NE(b["cause"].get<std::string>().find(c.error), std::string::npos) << b.dump();
        EXPECT_EQ(b["mailbox"], "local");
        EXPECT_EQ(b["size"].get<long long>(), static_cast<long long>(slurp(fx(c.file)).size()));
        EXPECT_FALSE(b["from"].get<std::string>().empty());
        // Nothing lost: the backup holds the bytes exactly as they arrived.
        const auto copy = std::filesystem::path(desk.data()) / "copy.eml";
        ASSERT_EQ(desk.run({"backup", "download", std::to_string(b["id"].get<long long>()), "--out",
                            copy.string()})
                      .exit_code,
                  0);
        EXPECT_EQ(slurp(copy), slurp(fx(c.file)));
        return;
    }
    ASSERT_EQ(backups.size(), 0u) << backups.dump();
    ASSERT_EQ(tickets.size(), 1u) << fetched.out;
    const auto ticket = desk.json(
        {"ticket", "show", std::to_string(tickets[0]["number"].get<long long>()), "--json"});
    ASSERT_EQ(ticket["messages"].size(), 1u);
    const auto& m = ticket["messages"][0];
    EXPECT_EQ(m["direction"], "in");
    const bool encrypted = c.expect == "decrypt";
    EXPECT_EQ(m["encrypted"], encrypted) << m.dump();
    ASSERT_TRUE(m["text"].is_string()) << m.dump();
    if (c.text != "-") {
        EXPECT_NE(m["text"].get<std::string>().find(c.text), std::string::npos) << m.dump();
    }
    if (encrypted) {
        ASSERT_TRUE(m["encryption"].is_object());
        EXPECT_EQ(m["encryption"]["cipher"], cipher_name_from_openssl(c.cipher));
        EXPECT_EQ(m["encryption"]["integrity_protected"], c.integrity == "yes");
        EXPECT_EQ(m["encryption"]["certificate"].get<std::string>().size(), 64u);
    } else {
        EXPECT_TRUE(m["encryption"].is_null());
    }
    if (!m["encryption"].is_null() && m["encryption"]["mixed_parts"].get<bool>()) {
        EXPECT_NE(m["text"].get<std::string>().find("each part is shown on its own"),
                  std::string::npos);
        EXPECT_TRUE(m["html"].is_null()) << "no merged HTML for the EFAIL pattern";
    } else if (c.subject != "-") {
        EXPECT_EQ(m["subject"], c.subject);
        EXPECT_EQ(ticket["subject"], c.subject) << "the real subject, not the outer placeholder";
    }
    if (c.signature == "none" || c.signature == "-") {
        EXPECT_TRUE(m["signature"].is_null()) << m.dump();
        return;
    }
    const auto& s = m["signature"];
    ASSERT_TRUE(s.is_object()) << m.dump();
    EXPECT_EQ(s["signer"], c.signer);
    EXPECT_EQ(s["valid"], c.signature != "invalid");
    if (c.signature != "invalid") {
        EXPECT_EQ(s["trusted"], c.signature == "valid" || c.signature == "mismatch");
    }
    if (c.signature == "valid") {
        EXPECT_TRUE(s["matches_from"].get<bool>());
    }
    if (c.signature == "mismatch") {
        EXPECT_FALSE(s["matches_from"].get<bool>());
    }
}

std::string case_name(const ::testing::TestParamInfo<SmimeCase>& info) {
    return smime_case_name(static_cast<int>(info.index), info.param);
}

INSTANTIATE_TEST_SUITE_P(Fixtures, IncomingCases,
                         ::testing::ValuesIn(load_smime_cases(fixtures_dir())), case_name);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(IncomingCases);

TEST(Incoming, ABackupForAMissingIdentityIsFiledAfterTheImport) {
    Helpdesk desk;
    desk.drop("to-support", slurp(fx("smime/01-aes256-cbc.eml")));
    const auto fetched = desk.fetch();
    ASSERT_EQ(fetched.exit_code, 0) << fetched.err;
    EXPECT_NE(fetched.out.find("0 filed into tickets, 1 kept as email backups"), std::string::npos)
        << fetched.out;
    auto backups = desk.json({"backup", "list", "--json"});
    ASSERT_EQ(backups.size(), 1u);
    const std::string id = std::to_string(backups[0]["id"].get<long long>());
    const std::string cause = backups[0]["cause"];
    EXPECT_NE(cause.find("no key"), std::string::npos) << cause;
    EXPECT_NE(cause.find("no server certificate for support@example.test"), std::string::npos)
        << cause;
    EXPECT_TRUE(backups[0]["subject"].get<std::string>().starts_with("Test 01"))
        << backups[0].dump();
    EXPECT_EQ(backups[0]["from"], "carl@customer.test");
    const auto shown = desk.run({"backup", "show", id});
    EXPECT_NE(shown.out.find(cause), std::string::npos) << shown.out;

    const auto early = desk.run({"backup", "retry", id});
    EXPECT_EQ(early.exit_code, 3) << "still no identity";
    EXPECT_NE(early.err.find("still cannot be processed"), std::string::npos) << early.err;
    EXPECT_EQ(desk.json({"backup", "list", "--json"}).size(), 1u) << "the backup stays";

    desk.import_server("server/ok-aes256.p12", "server/ok-aes256.pass");
    const auto retried = desk.run({"backup", "retry", id});
    ASSERT_EQ(retried.exit_code, 0) << retried.err;
    EXPECT_NE(retried.out.find("new ticket 1"), std::string::npos) << retried.out;
    EXPECT_EQ(desk.json({"backup", "list", "--json"}).size(), 0u);
    const auto ticket = desk.json({"ticket", "show", "1", "--json"});
    EXPECT_NE(ticket["messages"][0]["text"].get<std::string>().find("Secret text 01"),
              std::string::npos);
    EXPECT_EQ(desk.run({"backup", "retry", id}).exit_code, 3) << "a filed mail is no backup";
}

TEST(Incoming, DeletedBackupsAreNotFetchedAgain) {
    Helpdesk desk;
    ASSERT_EQ(desk.run({"account", "add", "second", "--url",
                        "dir://" + (std::filesystem::path(desk.data()) / "second").string()})
                  .exit_code,
              0);
    ASSERT_EQ(
        desk.run({"property", "set", "cmas-nimh", "mailbox.default.task.max.message.size", "100"})
            .exit_code,
        0);
    std::filesystem::create_directories(std::filesystem::path(desk.data()) / "second");
    std::ofstream(std::filesystem::path(desk.data()) / "second" / "big.eml")
        << plain_mail("Too big", "big@customer.test", "", std::string(500, 'x') + "\n");
    ASSERT_EQ(desk.run({"mail", "fetch", "--account", "second"}).exit_code, 0);
    auto backups = desk.json({"backup", "list", "--json"});
    ASSERT_EQ(backups.size(), 1u);
    EXPECT_NE(backups[0]["cause"].get<std::string>().find("mailbox.default.task.max.message.size"),
              std::string::npos)
        << backups[0].dump();
    EXPECT_EQ(backups[0]["mailbox"], "second");
    const std::string id = std::to_string(backups[0]["id"].get<long long>());
    ASSERT_EQ(desk.run({"backup", "delete", id}).exit_code, 0);
    EXPECT_EQ(desk.json({"backup", "list", "--json"}).size(), 0u);
    EXPECT_EQ(desk.run({"backup", "show", id}).exit_code, 3);
    // The admin puts the very file back: it is the same source key, and it was dealt with.
    std::filesystem::rename(std::filesystem::path(desk.data()) / "second" / "processed" / "big.eml",
                            std::filesystem::path(desk.data()) / "second" / "big.eml");
    const auto again = desk.run({"mail", "fetch", "--account", "second"});
    EXPECT_NE(again.out.find("0 new mails stored"), std::string::npos) << again.out;
    EXPECT_EQ(desk.json({"backup", "list", "--json"}).size(), 0u);
}

TEST(Incoming, TicketsThreadByTagByReplyAndAClosedTicketGetsALinkedOne) {
    Helpdesk desk;
    desk.drop("1", plain_mail("Printer on fire", "first@customer.test"));
    ASSERT_EQ(desk.fetch().exit_code, 0);
    auto tickets = desk.json({"ticket", "list", "--json"});
    ASSERT_EQ(tickets.size(), 1u);
    EXPECT_EQ(tickets[0]["number"], 1);
    EXPECT_EQ(tickets[0]["customer"], "carl@customer.test");
    EXPECT_EQ(tickets[0]["status"], "open");
    EXPECT_EQ(tickets[0]["subject"], "Printer on fire");

    // Our answer carries the tag and is in the history, with its report.
    const auto sent = desk.run({"mail", "send", "--ticket", "1", "--from", "support@example.test",
                                "--to", "carl@customer.test", "--subject", "Re: Printer on fire",
                                "--body", "Use water."});
    ASSERT_EQ(sent.exit_code, 0) << sent.err;
    auto ticket = desk.json({"ticket", "show", "1", "--json"});
    ASSERT_EQ(ticket["messages"].size(), 2u);
    const auto& out = ticket["messages"][1];
    EXPECT_EQ(out["direction"], "out");
    EXPECT_EQ(out["subject"], "[Ticket (1)] Re: Printer on fire");
    ASSERT_TRUE(out["report"].is_array()) << out.dump();
    EXPECT_EQ(out["report"][0]["address"], "carl@customer.test");
    EXPECT_NE(out["report"][0]["outcome"].get<std::string>().find("unencrypted"),
              std::string::npos);
    const std::string our_id = out["message_id"];
    bool found = false;
    for (const auto& f : std::filesystem::directory_iterator(std::filesystem::path(desk.data()) /
                                                             "mail" / "outgoing")) {
        found = found || slurp(f.path()).find("Subject: [Ticket (1)] Re: Printer on fire") !=
                             std::string::npos;
    }
    EXPECT_TRUE(found) << "the mail that went out carries the tag";

    // A reply by tag, and one by In-Reply-To whose subject lost the tag: both to ticket 1.
    desk.drop("2", plain_mail("Re: [Ticket (1)] Re: Printer on fire", "second@customer.test"));
    desk.drop("3", plain_mail("[...]", "third@customer.test", "In-Reply-To: <" + our_id + ">\n"));
    ASSERT_EQ(desk.fetch().exit_code, 0);
    ticket = desk.json({"ticket", "show", "1", "--json"});
    EXPECT_EQ(ticket["messages"].size(), 4u) << ticket.dump(1);
    EXPECT_EQ(desk.json({"ticket", "list", "--json"}).size(), 1u);
    // Another tag pattern is honoured.
    ASSERT_EQ(desk.run({"property", "set", "cmas-core-server", "mail.ticketname.pattern",
                        "\\[#(\\d+)\\]"})
                  .exit_code,
              0);
    desk.drop("4", plain_mail("Re: [#1] still burning", "fourth@customer.test"));
    ASSERT_EQ(desk.fetch().exit_code, 0);
    EXPECT_EQ(desk.json({"ticket", "show", "1", "--json"})["messages"].size(), 5u);
    EXPECT_EQ(
        desk.run({"property", "set", "cmas-core-server", "mail.ticketname.pattern", "no group"})
            .exit_code,
        3);

    ASSERT_EQ(desk.run({"ticket", "close", "1"}).exit_code, 0);
    desk.drop("5", plain_mail("Re: [#1] thanks, it is out", "fifth@customer.test"));
    ASSERT_EQ(desk.fetch().exit_code, 0);
    tickets = desk.json({"ticket", "list", "--json"});
    ASSERT_EQ(tickets.size(), 2u);
    EXPECT_EQ(tickets[0]["number"], 2);
    EXPECT_EQ(tickets[0]["linked_ticket"], 1);
    EXPECT_EQ(tickets[1]["status"], "closed");
    EXPECT_EQ(desk.json({"ticket", "show", "1", "--json"})["messages"].size(), 5u);
    EXPECT_EQ(desk.run({"ticket", "show", "99"}).exit_code, 3);
}

TEST(Incoming, TheSameMailDeliveredTwiceIsOneTicketMessage) {
    Helpdesk desk;
    desk.drop("a", plain_mail("Twice", "twice@customer.test"));
    desk.drop("b", plain_mail("Twice", "twice@customer.test"));
    const auto fetched = desk.fetch();
    ASSERT_EQ(fetched.exit_code, 0);
    EXPECT_NE(fetched.out.find("a copy of a mail already in ticket 1"), std::string::npos)
        << fetched.out;
    EXPECT_EQ(desk.json({"ticket", "show", "1", "--json"})["messages"].size(), 1u);
}

TEST(Incoming, AccountsKeepTheirPasswordSealedAndAnUnreadableMailboxExitsOne) {
    Helpdesk desk;
    const std::string password = "pw-7f3a9c1e-never-in-clear";
    auto added = desk.run({"account", "add", "support", "--url", "imap://127.0.0.1:1/INBOX",
                           "--user", "support@example.test", "--password-stdin"},
                          password + "\n");
    ASSERT_EQ(added.exit_code, 0) << added.err;
    EXPECT_EQ(desk.run({"account", "add", "support", "--url", "imap://127.0.0.1:1/"}).exit_code, 3)
        << "the name is taken";
    EXPECT_EQ(desk.run({"account", "add", "bad", "--url", "gopher://x/"}).exit_code, 2);
    EXPECT_EQ(desk.run({"account", "add", "bad name", "--url", "imap://x/"}).exit_code, 2);
    const auto list = desk.run({"account", "list", "--json"});
    EXPECT_EQ(list.out.find(password), std::string::npos);
    const auto accounts = nlohmann::json::parse(list.out);
    ASSERT_EQ(accounts.size(), 2u);
    EXPECT_EQ(accounts[0]["name"], "local");
    EXPECT_EQ(accounts[1]["user"], "support@example.test");
    for (const auto& f : std::filesystem::directory_iterator(desk.data())) {
        if (f.is_regular_file()) {
            EXPECT_EQ(slurp(f.path()).find(password), std::string::npos) << f.path();
        }
    }

    desk.drop("x", plain_mail("Still filed", "still@customer.test"));
    const auto fetched = desk.fetch();
    EXPECT_EQ(fetched.exit_code, 1) << "a mailbox could not be read";
    EXPECT_NE(fetched.err.find("account support"), std::string::npos) << fetched.err;
    EXPECT_EQ(fetched.err.find(password), std::string::npos);
    EXPECT_NE(fetched.out.find("1 filed into tickets"), std::string::npos)
        << "the others go on: " << fetched.out;
    EXPECT_NE(desk.run({"account", "list"}).out.find("last error"), std::string::npos);

    const auto unknown = desk.run({"mail", "fetch", "--account", "nope"});
    EXPECT_EQ(unknown.exit_code, 3);
    EXPECT_NE(unknown.err.find("no mail account named nope"), std::string::npos) << unknown.err;
    ASSERT_EQ(desk.run({"account", "remove", "local"}).exit_code, 0);
    EXPECT_EQ(desk.run({"account", "remove", "local"}).exit_code, 3);
    EXPECT_EQ(desk.json({"account", "list", "--json"}).size(), 1u)
        << "a removed local account stays removed";
}

TEST(Incoming, DeletingReadMailRemovesTheFileInsteadOfMovingIt) {
    Helpdesk desk;
    ASSERT_EQ(desk.run({"property", "set", "cmas-nimh", "mailbox.default.task.delete.read.messages",
                        "true"})
                  .exit_code,
              0);
    desk.drop("gone", plain_mail("Delete me", "gone@customer.test"));
    ASSERT_EQ(desk.fetch().exit_code, 0);
    EXPECT_FALSE(std::filesystem::exists(desk.incoming() / "gone.eml"));
    EXPECT_FALSE(std::filesystem::exists(desk.incoming() / "processed" / "gone.eml"));
    EXPECT_EQ(desk.json({"ticket", "list", "--json"}).size(), 1u);
}

}  // namespace
}  // namespace casecrypt::test

namespace casecrypt::test {
namespace {

TEST(Incoming, WorksOnPostgresqlToo) {
    std::ifstream url_file(std::getenv("CASECRYPT_TEST_PG_URL_FILE"));
    std::string url;
    ASSERT_TRUE(std::getline(url_file, url)) << "the postgres fixture did not start";
    shell("psql -q " + quote(url) +
          " -c 'DROP SCHEMA public CASCADE; CREATE SCHEMA public;' >/dev/null 2>&1");
    Helpdesk desk;
    auto pg = [&](std::vector<std::string> args) {
        args.insert(args.begin(), {"--database", url});
        return desk.run(args);
    };
    desk.drop("enc", slurp(fx("smime/07-signed-then-encrypted.eml")));
    desk.drop("plain", plain_mail("On PostgreSQL", "pg@customer.test"));
    ASSERT_EQ(pg({"mail", "fetch"}).exit_code, 0);
    auto backups = nlohmann::json::parse(pg({"backup", "list", "--json"}).out);
    ASSERT_EQ(backups.size(), 1u);
    ASSERT_EQ(pg({"cert", "import-server", fx("server/ok-aes256.p12"), "--password-file",
                  fx("server/ok-aes256.pass")})
                  .exit_code,
              0);
    ASSERT_EQ(pg({"cert", "import-ca", fx("ca/ca.pem")}).exit_code, 0);
    const auto retried = pg({"backup", "retry", std::to_string(backups[0]["id"].get<long long>())});
    ASSERT_EQ(retried.exit_code, 0) << retried.err;
    const auto tickets = nlohmann::json::parse(pg({"ticket", "list", "--json"}).out);
    ASSERT_EQ(tickets.size(), 2u);
    const auto shown = nlohmann::json::parse(
        pg({"ticket", "show", std::to_string(tickets[0]["number"].get<long long>()), "--json"})
            .out);
    EXPECT_TRUE(shown["messages"][0]["encrypted"].get<bool>()) << shown.dump();
    EXPECT_TRUE(shown["messages"][0]["signature"]["trusted"].get<bool>()) << shown.dump();
    EXPECT_EQ(desk.json({"ticket", "list", "--json"}).size(), 0u)
        << "the SQLite store was not used";
    EXPECT_EQ(shell("psql -At " + quote(url) +
                    " -c \"SELECT COUNT(*) FROM incoming WHERE state = 'filed'\""),
              "2\n");
}

TEST(Serve, ARoundFetchesFilesAndDelivers) {
    Helpdesk desk;
    desk.drop("s", plain_mail("Served", "served@customer.test"));
    const auto queued = desk.run({"mail", "send", "--from", "support@example.test", "--to",
                                  "carl@customer.test", "--subject", "queued", "--body", "x"});
    ASSERT_EQ(queued.exit_code, 0) << queued.err;
    const auto r = desk.run({"serve", "--rounds", "1"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("1 filed into tickets"), std::string::npos) << r.out;
    EXPECT_EQ(desk.json({"ticket", "list", "--json"}).size(), 1u);
    EXPECT_EQ(desk.run({"serve", "--interval", "0"}).exit_code, 2);
}

}  // namespace
}  // namespace casecrypt::test
