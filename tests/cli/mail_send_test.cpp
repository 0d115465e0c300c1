// `casecrypt mail send` on the embedded default (no SMTP server configured): each copy is
// written to <data-dir>/mail/outgoing/<outbox id>.eml, and the outbox says it was sent.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "support/helpdesk.h"
#include "support/openssl_cli.h"
#include "support/run_cli.h"

namespace casecrypt::test {
namespace {

TEST(MailSend, TheEmbeddedDefaultWritesEachCopyToTheOutgoingDirectory) {
    TempDir dir;
    const std::string data = (dir.path() / "data").string();
    const auto fx = [](const std::string& p) { return (fixtures_dir() / p).string(); };
    ASSERT_EQ(run_cli({"--data-dir", data, "property", "set", "cmas-core-server", "mail.encryption",
                       "true"})
                  .exit_code,
              0);
    ASSERT_EQ(
        run_cli({"--data-dir", data, "cert", "import-client", fx("client/ok-rsa2048-dn-email.pem")})
            .exit_code,
        0);
    std::ofstream(dir.path() / "note.txt") << "an attachment\n";
    const auto sent = run_cli({"--data-dir", data, "mail", "send", "--from", "support@example.test",
                               "--to", "alice@example.test", "--subject",
                               "Gr\xc3\xbc\xc3\x9f"
                               "e",
                               "--body", "Hello Alice.", "--attach",
                               (dir.path() / "note.txt").string(), "--json"});
    ASSERT_EQ(sent.exit_code, 0) << sent.err;
    const auto report = nlohmann::json::parse(sent.out);
    EXPECT_TRUE(report["encrypted"].get<bool>());
    EXPECT_EQ(report["recipients"][0]["certificate"]["source"], "store");
    const auto id = std::to_string(report["outbox_ids"][0].get<long long>());
    const auto file = dir.path() / "data" / "mail" / "outgoing" / (id + ".eml");
    ASSERT_TRUE(std::filesystem::exists(file)) << file;
    const std::string mail = slurp(file);
    EXPECT_NE(mail.find("Subject: =?UTF-8?"), std::string::npos) << "RFC 2047 subject";
    const std::string opened = shell("openssl cms -decrypt -in " + quote(file.string()) +
                                     " -recip " + quote(fx("client/ok-rsa2048-dn-email.pem")) +
                                     " -inkey " + quote(fx("keys/alice.key")));
    EXPECT_NE(opened.find("Hello Alice."), std::string::npos) << opened;
    EXPECT_NE(opened.find("filename=note.txt"), std::string::npos) << opened;
    const auto outbox =
        nlohmann::json::parse(run_cli({"--data-dir", data, "outbox", "list", "--json"}).out);
    ASSERT_EQ(outbox.size(), 1u);
    EXPECT_EQ(outbox[0]["state"], "sent");
}

std::string sent_file(const Helpdesk& desk, const nlohmann::json& report) {
    const auto id = std::to_string(report["outbox_ids"][0].get<long long>());
    return slurp(std::filesystem::path(desk.data()) / "mail" / "outgoing" / (id + ".eml"));
}

// Issue 10: replies carried no In-Reply-To/References, so customers' clients did not thread
// them under their own mail.
TEST(MailSend, AReplyFromATicketThreadsUnderTheTicketsLastMessage) {
    Helpdesk desk;
    desk.drop("question", plain_mail("Printer broken", "question-1@customer.test"));
    ASSERT_EQ(desk.fetch().exit_code, 0);
    const auto tickets = desk.json({"ticket", "list", "--json"});
    ASSERT_EQ(tickets.size(), 1u);
    const std::string number = std::to_string(tickets[0]["number"].get<long long>());

    const auto first =
        desk.json({"mail", "send", "--ticket", number, "--from", "support@example.test", "--to",
                   "carl@customer.test", "--subject", "Re: Printer broken", "--body",
                   "Which model?", "--no-encrypt", "--json"});
    const std::string first_id = first["mail_id"].get<std::string>();
    std::string head = headers_of(sent_file(desk, first));
    EXPECT_NE(head.find("\nIn-Reply-To: <question-1@customer.test>\n"), std::string::npos) << head;
    EXPECT_NE(head.find("\nReferences: <question-1@customer.test>\n"), std::string::npos) << head;

    // The next reply follows our first one; encrypted, the threading stays outside the
    // envelope where every client reads it (S/MIME keeps the header fields outside).
    ASSERT_EQ(
        desk.run({"property", "set", "cmas-core-server", "mail.encryption", "true"}).exit_code, 0);
    ASSERT_EQ(desk.run({"cert", "import-client", fx("client/ok-rsa2048-dn-email.pem")}).exit_code,
              0);
    const auto second = desk.json(
        {"mail", "send", "--ticket", number, "--from", "support@example.test", "--to",
         "alice@example.test", "--subject", "Re: Printer broken", "--body", "Fixed.", "--json"});
    ASSERT_TRUE(second["encrypted"].get<bool>()) << second.dump(2);
    const std::string mail = sent_file(desk, second);
    EXPECT_NE(mail.find("application/pkcs7-mime"), std::string::npos);
    head = headers_of(mail);
    EXPECT_NE(head.find("\nIn-Reply-To: <" + first_id + ">\n"), std::string::npos) << head;
    EXPECT_NE(head.find("\nReferences: <question-1@customer.test> <" + first_id + ">\n"),
              std::string::npos)
        << head;
}

TEST(MailSend, AMailWithoutATicketCarriesNoThreadingHeaders) {
    Helpdesk desk;
    const auto sent =
        desk.json({"mail", "send", "--from", "support@example.test", "--to", "carl@customer.test",
                   "--subject", "News", "--body", "Hello", "--json"});
    const std::string head = headers_of(sent_file(desk, sent));
    EXPECT_EQ(head.find("In-Reply-To:"), std::string::npos) << head;
    EXPECT_EQ(head.find("References:"), std::string::npos) << head;
}

// Issue 10: `outbox list` printed a next attempt for mail that was sent long ago.
TEST(MailSend, OutboxListShowsNoNextAttemptForSentMail) {
    Helpdesk desk;
    ASSERT_EQ(desk.run({"mail", "send", "--from", "support@example.test", "--to",
                        "carl@customer.test", "--subject", "s", "--body", "b"})
                  .exit_code,
              0);
    const auto outbox = desk.json({"outbox", "list", "--json"});
    ASSERT_EQ(outbox.size(), 1u);
    EXPECT_EQ(outbox[0]["state"], "sent");
    EXPECT_TRUE(outbox[0]["next_attempt"].is_null()) << outbox[0].dump();
    EXPECT_TRUE(outbox[0]["sent"].is_string()) << outbox[0].dump();
    const auto text = desk.run({"outbox", "list"});
    EXPECT_EQ(text.out.find("next"), std::string::npos) << text.out;
    EXPECT_NE(text.out.find("  sent  unencrypted  attempts 1  to carl@customer.test"),
              std::string::npos)
        << text.out;
}

std::set<std::string> keys(const nlohmann::json& object) {
    std::set<std::string> out;
    for (const auto& [key, value] : object.items())
        out.insert(key);
    return out;
}

// The report became a typed value in the services; what the CLI prints stayed as it was.
TEST(MailSend, TheReportKeepsItsFieldNamesAndWords) {
    Helpdesk desk;
    ASSERT_EQ(
        desk.run({"property", "set", "cmas-core-server", "mail.encryption", "true"}).exit_code, 0);
    ASSERT_EQ(desk.run({"cert", "import-client", fx("client/ok-rsa2048-dn-email.pem")}).exit_code,
              0);
    const auto sent =
        desk.json({"mail", "send", "--from", "support@example.test", "--to", "alice@example.test",
                   "--bcc", "nocert@customer.test", "--subject", "s", "--body", "b", "--json"});
    EXPECT_EQ(keys(sent), (std::set<std::string>{"mail_id", "encrypted", "rejected", "decision",
                                                 "recipients", "outbox_ids", "delivery"}));
    EXPECT_FALSE(sent["encrypted"].get<bool>());
    EXPECT_FALSE(sent["rejected"].get<bool>());
    EXPECT_EQ(sent["decision"], "sent unencrypted: no certificate for nocert@customer.test");
    ASSERT_EQ(sent["recipients"].size(), 2u);
    const auto& alice = sent["recipients"][0];
    EXPECT_EQ(keys(alice), (std::set<std::string>{"address", "kind", "outcome", "certificate"}));
    EXPECT_EQ(alice["kind"], "to");
    EXPECT_EQ(alice["outcome"], "sent unencrypted: another recipient has no certificate");
    EXPECT_EQ(keys(alice["certificate"]),
              (std::set<std::string>{"fingerprint_sha256", "source", "serial", "not_after"}));
    EXPECT_EQ(alice["certificate"]["source"], "store");
    EXPECT_EQ(alice["certificate"]["fingerprint_sha256"].get<std::string>().size(), 64u);
    const auto& bob = sent["recipients"][1];
    EXPECT_EQ(bob["kind"], "bcc");
    EXPECT_EQ(bob["outcome"], "sent unencrypted: no certificate");
    EXPECT_TRUE(bob["certificate"].is_null());
    ASSERT_EQ(sent["delivery"].size(), 1u);
    EXPECT_EQ(keys(sent["delivery"][0]), (std::set<std::string>{"outbox_id", "state", "detail"}));
    EXPECT_EQ(sent["delivery"][0]["state"], "sent");

    // The outbox keeps the same report (without the delivery, which the copy's state says,
    // and, as ever, written before the copies had ids).
    const auto outbox = desk.json({"outbox", "list", "--json"});
    ASSERT_EQ(outbox.size(), 1u);
    auto expected = sent;
    expected.erase("delivery");
    expected["outbox_ids"] = nlohmann::json::array();
    EXPECT_EQ(outbox[0]["report"], expected);

    const auto plain =
        desk.json({"mail", "send", "--from", "support@example.test", "--to", "alice@example.test",
                   "--subject", "s", "--body", "b", "--no-encrypt", "--json"});
    EXPECT_EQ(plain["decision"], "sent unencrypted: encryption not requested for this mail");
    EXPECT_EQ(plain["recipients"][0]["outcome"],
              "sent unencrypted: encryption not requested or switched off");
    const auto text = desk.run({"mail", "send", "--from", "support@example.test", "--to",
                                "alice@example.test", "--subject", "s", "--body", "b"});
    EXPECT_NE(text.out.find(">: encrypted to every recipient\n  to alice@example.test: encrypted "
                            "(certificate "),
              std::string::npos)
        << text.out;
    EXPECT_NE(text.out.find("... from store)\n  outbox "), std::string::npos) << text.out;
}

// Issue 10: a missing input file was exit 3 (refused) instead of 1 (I/O), as documented.
TEST(MailSend, AMissingInputFileIsAnIoErrorNamingTheFile) {
    Helpdesk desk;
    const std::string missing = (std::filesystem::path(desk.data()) / "no-such-file").string();
    const std::vector<std::string> base = {
        "mail",      "send", "--from", "support@example.test", "--to", "carl@customer.test",
        "--subject", "s"};
    for (const auto& extra :
         std::vector<std::vector<std::string>>{{"--body-file", missing},
                                               {"--body", "b", "--html-file", missing},
                                               {"--body", "b", "--attach", missing}}) {
        auto args = base;
        args.insert(args.end(), extra.begin(), extra.end());
        const auto r = desk.run(args);
        EXPECT_EQ(r.exit_code, 1) << extra[extra.size() - 2] << ": " << r.err;
        EXPECT_NE(r.err.find(missing), std::string::npos) << r.err;
    }
    EXPECT_TRUE(desk.json({"outbox", "list", "--json"}).empty());
}

TEST(MailSend, NoRecipientIsRefusedWithTheOptionsThatGiveOne) {
    Helpdesk desk;
    const auto r = desk.run(
        {"mail", "send", "--from", "support@example.test", "--subject", "s", "--body", "b"});
    EXPECT_EQ(r.exit_code, 3);
    EXPECT_NE(r.err.find("the mail has no recipient (give --to, --cc or --bcc)"), std::string::npos)
        << r.err;
}

TEST(MailSend, TheHelpOfTheOutgoingCommandsDescribesEachArgumentAndEndsWithAnExample) {
    for (const std::vector<std::string>& command : {std::vector<std::string>{"mail", "send"},
                                                    {"outbox", "list"},
                                                    {"outbox", "retry"},
                                                    {"outbox", "deliver"}}) {
        auto args = command;
        args.push_back("--help");
        const auto r = run_cli(args);
        EXPECT_EQ(r.exit_code, 0) << r.err;
        const std::string example = "Example:\n  casecrypt " + command[0] + " " + command[1];
        const auto at = r.out.find(example);
        ASSERT_NE(at, std::string::npos) << r.out;
        EXPECT_EQ(r.out.find("OPTIONS", at), std::string::npos) << "the example ends it";
    }
    const auto retry = run_cli({"outbox", "retry", "--help"});
    EXPECT_NE(retry.out.find("the outbox id of the copy"), std::string::npos) << retry.out;
}

}  // namespace
}  // namespace casecrypt::test
