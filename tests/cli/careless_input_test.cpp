// The smaller items of issue 9, end to end through the real binary: address lists read by RFC
// 5322 (a quoted name may hold a comma; "a@b@c" and absurd lengths are refused, not cut), text
// from strangers printed with its control characters escaped, integer properties and options
// with ranges, and two `mail fetch` at once on one data directory. Each test is named after
// what broke.
#include <gtest/gtest.h>

#include <future>
#include <nlohmann/json.hpp>

#include "support/helpdesk.h"
#include "support/run_cli.h"

namespace casecrypt::test {
namespace {

// `mail send` with encryption off (the default) on the embedded default: each copy is written
// to <data>/mail/outgoing/<id>.eml with <id>.envelope beside it.
CliResult send_to(const Helpdesk& desk, const std::string& to) {
    return desk.run({"mail", "send", "--from", "support@example.test", "--to", to, "--subject",
                     "Address test", "--body", "Hello.", "--json"});
}

std::filesystem::path outgoing(const Helpdesk& desk, const nlohmann::json& report,
                               const std::string& ext) {
    return std::filesystem::path(desk.data()) / "mail" / "outgoing" /
           (std::to_string(report["outbox_ids"][0].get<long long>()) + ext);
}

TEST(CarelessInput, AQuotedDisplayNameWithACommaWasRefused) {
    Helpdesk desk;
    const auto sent = send_to(desk, R"("Cust, Omer" <c@example.com>)");
    ASSERT_EQ(sent.exit_code, 0) << sent.err;
    const auto report = nlohmann::json::parse(sent.out);
    ASSERT_EQ(report["recipients"].size(), 1u) << sent.out;
    EXPECT_EQ(report["recipients"][0]["address"], "c@example.com");
    const std::string mail = slurp(outgoing(desk, report, ".eml"));
    EXPECT_NE(mail.find(R"(To: "Cust, Omer" <c@example.com>)"), std::string::npos)
        << mail.substr(0, 600);
    EXPECT_EQ(slurp(outgoing(desk, report, ".envelope")).find("Omer"), std::string::npos);
}

TEST(CarelessInput, ASecondAtSignWasSilentlySentToTheFirstPart) {
    Helpdesk desk;
    const auto sent = send_to(desk, "a@b@c");
    EXPECT_EQ(sent.exit_code, 3) << sent.out;
    EXPECT_NE(sent.err.find("\"a@b@c\" is not an email address: it has a second \"@\""),
              std::string::npos)
        << sent.err;
    EXPECT_EQ(nlohmann::json::parse(desk.run({"outbox", "list", "--json"}).out).size(), 0u)
        << "nothing queued";
}

TEST(CarelessInput, AHundredAndThirtyKilobyteLocalPartWasAccepted) {
    Helpdesk desk;
    // 130,000 bytes: Linux refuses a single argument of 128 KiB or more (MAX_ARG_STRLEN).
    const auto sent = send_to(desk, std::string(130000, 'x') + "@example.com");
    EXPECT_EQ(sent.exit_code, 3);
    EXPECT_NE(sent.err.find("local part is 130000 bytes long (at most 64)"), std::string::npos)
        << sent.err.substr(0, 300);
    EXPECT_LT(sent.err.size(), 400u);
}

// A Subject and a From whose encoded words decode to ESC sequences and CR/LF, and a body with a
// screen-clearing escape: printed raw by `ticket list` / `ticket show` / `backup list`.
TEST(CarelessInput, EscapeSequencesFromAStrangerReachedTheTerminal) {
    Helpdesk desk;
    const std::string mail =
        "From: =?utf-8?q?Evil=1B]0;owned=07?= <evil@customer.test>\nTo: support@example.test\n"
        "Subject: =?utf-8?q?Hi=1B[2J=0D=0Afake_line=C2=9B31m?=\nMessage-ID: <esc@customer.test>\n"
        "MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n\nline one\n\x1b[2Jline two\n";
    desk.drop("esc", mail);
    ASSERT_EQ(desk.fetch().exit_code, 0);
    const auto list = desk.run({"ticket", "list"});
    ASSERT_EQ(list.exit_code, 0);
    const auto show = desk.run({"ticket", "show", "1"});
    ASSERT_EQ(show.exit_code, 0) << show.err;
    for (const auto* out : {&list.out, &show.out}) {
        EXPECT_EQ(out->find('\x1b'), std::string::npos) << *out;
        EXPECT_EQ(out->find('\r'), std::string::npos) << *out;
        EXPECT_EQ(out->find('\x07'), std::string::npos) << *out;
        EXPECT_EQ(out->find("\xc2\x9b"), std::string::npos) << *out;
        EXPECT_EQ(out->find("\nfake line"), std::string::npos) << "a line of its own";
    }
    EXPECT_NE(list.out.find("Hi\\x1b[2J\\r\\nfake line\\u009b31m"), std::string::npos) << list.out;
    EXPECT_NE(show.out.find("line one\n\\x1b[2Jline two"), std::string::npos)
        << "the body keeps its lines";
    // The JSON keeps the text as it is (JSON escapes it itself).
    const auto json = desk.json({"ticket", "show", "1", "--json"});
    EXPECT_EQ(json["subject"],
              "Hi\x1b[2J\r\nfake line\xc2\x9b"
              "31m");
}

TEST(CarelessInput, IntegerPropertiesAndOptionsTookNegativeValues) {
    Helpdesk desk;
    for (const auto& [module, name, value] : std::vector<std::array<std::string, 3>>{
             {"cmas-nimh", "mailbox.default.task.max.message.size", "-1"},
             {"cmas-core-server", "mail.outbox.retry.seconds", "-1"},
             {"cmas-core-server", "ldap.certificate.timeout", "0"},
             {"cmas-nimh", "mailbox.default.task.max.attempts", "0"},
             {"cmas-nimh", "mailbox.default.task.max.depth", "1000000"}}) {
        const auto set = desk.run({"property", "set", module, name, value});
        EXPECT_EQ(set.exit_code, 3) << name << " " << value;
        EXPECT_NE(set.err.find(value + " is out of range ("), std::string::npos) << set.err;
    }
    const auto list = desk.run({"property", "list"});
    EXPECT_NE(list.out.find("[integer:1..1099511627776, default 134217728]"), std::string::npos)
        << list.out;
    const auto decrypt = desk.run({"mail", "decrypt", "--max-size", "-5"}, "x");
    EXPECT_EQ(decrypt.exit_code, 2) << decrypt.err;
    EXPECT_NE(decrypt.err.find("--max-size"), std::string::npos) << decrypt.err;
    EXPECT_EQ(desk.run({"ticket", "show", "-3"}).exit_code, 2);
    EXPECT_EQ(desk.run({"backup", "show", "0"}).exit_code, 2);
}

// A value stored before the property had a range (here written with sqlite3) is not used:
// `max.message.size -1` made every mail a backup; now the default applies, with a warning.
TEST(CarelessInput, AStoredOutOfRangeValueMadeEveryMailABackup) {
    Helpdesk desk;
    ASSERT_EQ(
        desk.run({"property", "set", "cmas-nimh", "mailbox.default.task.max.message.size", "100"})
            .exit_code,
        0);
    const auto db = std::filesystem::path(desk.data()) / "casecrypt.db";
    const std::string update = "sqlite3 '" + db.string() +
                               "' \"UPDATE properties SET value = '-1' WHERE name = "
                               "'mailbox.default.task.max.message.size'\"";
    ASSERT_EQ(std::system(update.c_str()), 0);
    desk.drop("small", plain_mail("Small mail", "small@customer.test"));
    const auto fetched = desk.fetch();
    EXPECT_EQ(fetched.exit_code, 0) << fetched.err;
    EXPECT_NE(fetched.err.find(
                  "holds -1, outside its range 1..1099511627776; the default 134217728 is used"),
              std::string::npos)
        << fetched.err;
    EXPECT_TRUE(desk.json({"backup", "list", "--json"}).empty()) << fetched.out;
    EXPECT_EQ(desk.json({"ticket", "list", "--json"}).size(), 1u);
}

// Two `mail fetch` on one data directory: one exited 1 with "cannot read .../m0002.eml: No such
// file or directory" because the other had taken the file. A mail another process took is not
// an error; every mail is filed exactly once.
TEST(CarelessInput, TwoConcurrentFetchesReportedTheOthersMailsAsUnreadable) {
    Helpdesk desk;
    constexpr int kMails = 120;
    for (int i = 0; i < kMails; ++i) {
        desk.drop("m" + std::to_string(1000 + i),
                  plain_mail("Concurrent " + std::to_string(i),
                             "c" + std::to_string(i) + "@customer.test"));
    }
    ASSERT_EQ(desk.run({"account", "list"}).exit_code, 0);  // the database exists before the race
    for (int round = 0; round < 2; ++round) {
        auto first = std::async(std::launch::async, [&] { return desk.fetch(); });
        auto second = std::async(std::launch::async, [&] { return desk.fetch(); });
        for (auto* f : {&first, &second}) {
            const auto r = f->get();
            EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
            EXPECT_EQ(r.err.find("cannot read"), std::string::npos) << r.err;
        }
    }
    EXPECT_EQ(desk.json({"ticket", "list", "--json"}).size(), static_cast<std::size_t>(kMails));
    EXPECT_TRUE(desk.json({"backup", "list", "--json"}).empty());
}

}  // namespace
}  // namespace casecrypt::test
