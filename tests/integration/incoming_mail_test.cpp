// Incoming mail end to end with real servers on loopback: mails made by openssl and gpgsm
// (make-incoming-mails.sh) and by Thunderbird (the interop corpus) are sent over SMTP to
// Postfix, which delivers them into Maildirs; `casecrypt mail fetch` reads them from Dovecot over
// IMAP and POP3 (and IMAPS/POP3S) and files them into tickets. The servers are started by CTest
// fixtures (tests/harness/postfix.sh, dovecot.sh); the mails come from make-incoming-mails.sh.
//
// Each test reads a mailbox of its own: Postfix delivers to support@ and helpdesk@example.test,
// which other tests (outgoing_mail_test, perhaps running at the same time) share, so a test marks
// each mail it sends with a unique X-Casecrypt-Test header field, and moves exactly those mails,
// as Postfix delivered them, into <maildir>/example.test/<box>/new/, which Dovecot serves to the
// user <box>@example.test. The mails' To header still names support@ (or helpdesk@).
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <thread>

#include "support/openssl_cli.h"
#include "support/run_cli.h"

namespace casecrypt::test {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::string slurp(const fs::path& path, std::size_t limit = std::string::npos) {
    std::ifstream in(path, std::ios::binary);
    if (limit == std::string::npos) {
        return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    }
    std::string head(limit, '\0');
    in.read(head.data(), static_cast<std::streamsize>(limit));
    head.resize(static_cast<std::size_t>(in.gcount()));
    return head;
}

fs::path mails() {
    return env_or_empty("CASECRYPT_TEST_MAILS");
}

std::string random_hex(int bytes) {
    static std::mt19937_64 engine(std::random_device{}());
    std::string out;
    for (int i = 0; i < bytes; ++i) {
        static constexpr char kHex[] = "0123456789abcdef";
        const auto b = engine() & 0xff;
        out += kHex[b >> 4];
        out += kHex[b & 0xf];
    }
    return out;
}

// One row of mails.tsv (see make-incoming-mails.sh).
struct MailRow {
    std::string file, text, encrypted, cipher, integrity, signature, signer, subject, made_by;
};

std::vector<MailRow> mail_rows() {
    std::vector<MailRow> rows;
    std::ifstream in(mails() / "mails.tsv");
    std::string line;
    std::getline(in, line);
    while (std::getline(in, line)) {
        std::vector<std::string> f;
        std::stringstream stream(line);
        std::string field;
        while (std::getline(stream, field, '\t'))
            f.push_back(field);
        if (f.size() < 9)
            continue;
        rows.push_back({f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7], f[8]});
    }
    return rows;
}

// The Maildir messages of a directory (cur/ or new/).
std::vector<fs::path> files_in(const fs::path& dir) {
    std::vector<fs::path> out;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
        if (entry.is_regular_file())
            out.push_back(entry.path());
    }
    return out;
}

class IncomingMail : public ::testing::Test {
protected:
    void SetUp() override {
        ASSERT_FALSE(harness_state("CASECRYPT_TEST_POSTFIX_DIR", "port").empty())
            << "postfix fixture";
        ASSERT_FALSE(harness_state("CASECRYPT_TEST_DOVECOT_DIR", "imap_port").empty())
            << "dovecot fixture";
        ASSERT_TRUE(fs::exists(mails() / "mails.tsv"))
            << "make-incoming-mails.sh fixture: " << mails();
        ok(cli({"property", "set", "cmas-nimh", "mailbox.default.task.ca.file",
                (fs::path(env_or_empty("CASECRYPT_TEST_DOVECOT_DIR")) / "ca.pem").string()}));
        ok(cli({"property", "set", "cmas-nimh", "mailbox.default.task.timeout", "30"}));
    }

    CliResult cli(std::vector<std::string> args, const std::string& in = {}) {
        args.insert(args.begin(), {"--data-dir", data().string()});
        return run_cli(args, in);
    }
    void ok(const CliResult& r) {
        ASSERT_FALSE(r.signaled) << "signal " << r.signal << "\n" << r.err;
        ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    }
    json cli_json(std::vector<std::string> args) {
        const auto r = cli(std::move(args));
        EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
        return json::parse(r.out, nullptr, false);
    }
    fs::path data() const { return m_dir.path() / "data"; }
    static std::string fx(const std::string& p) { return (fixtures_dir() / p).string(); }
    void import_server(const std::string& p12, const std::string& pass) {
        ok(cli({"cert", "import-server", p12, "--password-file", pass}));
    }
    void import_support_identities() {
        import_server(fx("server/ok-aes256.p12"), fx("server/ok-aes256.pass"));
        import_server(fx("server/ok-ec-p256.p12"), fx("server/ok-ec-p256.pass"));
        ok(cli({"cert", "import-ca", fx("ca/ca.pem")}));
    }

    static fs::path maildir() { return harness_state("CASECRYPT_TEST_POSTFIX_DIR", "maildir"); }
    // A fresh, empty mailbox of this test (Dovecot user <name>@example.test).
    std::string make_box(const std::string& prefix) {
        const std::string name = prefix + "-" + random_hex(4);
        const fs::path domain = maildir() / "example.test";
        fs::create_directories(domain);
        EXPECT_EQ(::chown(domain.c_str(), 65534, 65534), 0);
        for (const char* sub : {"", "cur", "new", "tmp"}) {
            const fs::path dir = domain / name / sub;
            fs::create_directories(dir);
            EXPECT_EQ(::chown(dir.c_str(), 65534, 65534), 0) << dir;
        }
        return name;
    }
    static fs::path box_dir(const std::string& box) { return maildir() / "example.test" / box; }

    // Sends each file over SMTP to Postfix (envelope recipient `rcpt`), waits until Postfix has
    // delivered all of them and moves them into `box`.
    void deliver(const std::vector<fs::path>& files, const std::string& box,
                 const std::string& rcpt = "support@example.test",
                 std::chrono::seconds wait = std::chrono::seconds(60)) {
        std::map<std::string, fs::path> pending;  // token -> file
        for (const auto& file : files) {
            const std::string token = box + "-" + std::to_string(++m_sent);
            const fs::path marked = m_dir.path() / ("send-" + token + ".eml");
            {
                std::ofstream out(marked, std::ios::binary);
                out << "X-Casecrypt-Test: " << token << "\r\n";
                std::ifstream in(file, std::ios::binary);
                ASSERT_TRUE(in) << file;
                out << in.rdbuf();
            }
            shell("curl -sS --max-time 300 --url smtp://127.0.0.1:" +
                  harness_state("CASECRYPT_TEST_POSTFIX_DIR", "port") +
                  " --mail-from carl@customer.test --mail-rcpt " + quote(rcpt) + " --upload-file " +
                  quote(marked.string()));
            fs::remove(marked);
            pending[token] = file;
        }
        const fs::path delivered =
            maildir() / rcpt.substr(rcpt.find('@') + 1) / rcpt.substr(0, rcpt.find('@')) / "new";
        const auto deadline = std::chrono::steady_clock::now() + wait;
        while (!pending.empty() && std::chrono::steady_clock::now() < deadline) {
            for (const auto& path : files_in(delivered)) {
                const std::string head = slurp(path, 16384);
                for (auto it = pending.begin(); it != pending.end(); ++it) {
                    const std::string field = "X-Casecrypt-Test: " + it->first;
                    const auto at = head.find(field);
                    if (at == std::string::npos ||
                        (head[at + field.size()] != '\n' && head[at + field.size()] != '\r')) {
                        continue;
                    }
                    std::error_code ec;
                    fs::rename(path, box_dir(box) / "new" / path.filename(), ec);
                    ASSERT_FALSE(ec) << ec.message();
                    pending.erase(it);
                    break;
                }
            }
            if (!pending.empty())
                std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
        for (const auto& [token, file] : pending) {
            ADD_FAILURE() << "Postfix did not deliver " << file << " (" << token << ") to " << rcpt
                          << " within " << wait.count() << " s";
        }
    }

    // `account add` for the box over imap, imaps, pop3 or pop3s.
    void add_account(const std::string& name, const std::string& scheme, const std::string& box) {
        const std::string port = harness_state("CASECRYPT_TEST_DOVECOT_DIR", scheme + "_port");
        const bool imap = scheme.starts_with("imap");
        const std::string url = scheme + "://127.0.0.1:" + port + (imap ? "/INBOX" : "/");
        ok(cli({"account", "add", name, "--url", url, "--user", box + "@example.test",
                "--password-file",
                (fs::path(env_or_empty("CASECRYPT_TEST_DOVECOT_DIR")) / "password").string()}));
    }
    CliResult fetch(const std::string& account) {
        auto r = cli({"mail", "fetch", "--account", account});
        EXPECT_FALSE(r.signaled) << "signal " << r.signal << "\n" << r.err;
        return r;
    }
    json tickets() { return cli_json({"ticket", "list", "--json"}); }
    json ticket(long long number) {
        return cli_json({"ticket", "show", std::to_string(number), "--json"});
    }
    json backups() { return cli_json({"backup", "list", "--json"}); }
    // The number of the ticket with this subject, or 0.
    long long ticket_with_subject(const std::string& subject) {
        for (const auto& t : tickets()) {
            if (t["subject"] == subject)
                return t["number"].get<long long>();
        }
        return 0;
    }
    // A reply of carl's made by make-incoming-mails.sh --reply (openssl smime to support).
    fs::path reply(const std::string& subject, const std::string& in_reply_to,
                   const std::string& text) {
        const fs::path out = m_dir.path() / ("reply-" + random_hex(4) + ".eml");
        shell("bash " + quote(env_or_empty("CASECRYPT_TEST_MAIL_SCRIPT")) + " --reply " +
              quote(out.string()) + " " + quote(fixtures_dir().string()) + " " + quote(subject) +
              " " + quote(in_reply_to) + " " + quote(text));
        return out;
    }
    // How many messages the box holds, and how many of them are flagged \Seen (the Maildir
    // convention Dovecot follows: a file name ending in ":2,<flags>", S for seen).
    std::pair<int, int> box_messages(const std::string& box) {
        int all = 0, seen = 0;
        for (const char* sub : {"new", "cur"}) {
            for (const auto& f : files_in(box_dir(box) / sub)) {
                ++all;
                const std::string name = f.filename().string();
                const auto info = name.find(":2,");
                seen += info != std::string::npos && name.find('S', info) != std::string::npos;
            }
        }
        return {all, seen};
    }

    TempDir m_dir;
    int m_sent = 0;
};

// Over IMAP (STARTTLS, the harness CA trusted) and over POP3 (STLS).
class IncomingOverProtocol : public IncomingMail,
                             public ::testing::WithParamInterface<std::string> {};

TEST_P(IncomingOverProtocol, OpensslAndGpgsmMailsBecomeTicketsAndRepliesAreAppended) {
    const std::string scheme = GetParam();
    import_support_identities();
    const std::string box = make_box("in-" + scheme);
    add_account("support", scheme, box);
    const auto rows = mail_rows();
    ASSERT_GE(rows.size(), 8u);
    std::vector<fs::path> files;
    for (const auto& row : rows)
        files.push_back(mails() / row.file);
    deliver(files, box);

    const auto fetched = fetch("support");
    ASSERT_EQ(fetched.exit_code, 0) << fetched.out << fetched.err;
    EXPECT_NE(fetched.out.find(std::to_string(rows.size()) + " new mails stored"),
              std::string::npos)
        << fetched.out;
    EXPECT_EQ(backups().size(), 0u) << backups().dump(2);
    ASSERT_EQ(tickets().size(), rows.size()) << fetched.out;
    for (const auto& row : rows) {
        SCOPED_TRACE(row.file + ": " + row.made_by);
        const long long number = ticket_with_subject(row.subject);
        ASSERT_NE(number, 0) << "no ticket \"" << row.subject << "\"\n" << tickets().dump(1);
        const auto t = ticket(number);
        ASSERT_EQ(t["messages"].size(), 1u);
        const auto& m = t["messages"][0];
        EXPECT_EQ(m["direction"], "in");
        EXPECT_EQ(m["subject"], row.subject);
        ASSERT_TRUE(m["text"].is_string()) << m.dump(1);
        EXPECT_NE(m["text"].get<std::string>().find(row.text), std::string::npos) << m["text"];
        EXPECT_EQ(m["encrypted"], row.encrypted == "yes");
        if (row.encrypted == "yes") {
            ASSERT_TRUE(m["encryption"].is_object()) << m.dump(1);
            EXPECT_EQ(m["encryption"]["cipher"], cipher_name_from_openssl(row.cipher));
            EXPECT_EQ(m["encryption"]["integrity_protected"], row.integrity == "yes");
        } else {
            EXPECT_TRUE(m["encryption"].is_null()) << m.dump(1);
        }
        if (row.signature == "none") {
            EXPECT_TRUE(m["signature"].is_null()) << m.dump(1);
            continue;
        }
        const auto& s = m["signature"];
        ASSERT_TRUE(s.is_object()) << m.dump(1);
        EXPECT_EQ(s["signer"], row.signer);
        EXPECT_TRUE(s["valid"].get<bool>()) << s.dump();
        EXPECT_TRUE(s["trusted"].get<bool>()) << s.dump();
        EXPECT_EQ(s["matches_from"].get<bool>(), row.signature == "valid") << s.dump();
    }

    // A reply with the tag in its subject goes to that ticket.
    const long long first = ticket_with_subject(rows[0].subject);
    const std::string tag = "Ticket (" + std::to_string(first) + ")";
    deliver({reply("Re: [" + tag + "] " + rows[0].subject, "", "Reply text by tag: thanks")}, box);
    // Our answer to another ticket goes out (into <data>/mail/outgoing); the customer's client
    // replies with In-Reply-To and a placeholder subject (header protection: the real one is
    // encrypted), which must still find the ticket.
    const long long other = ticket_with_subject(rows[5].subject);
    ok(cli({"mail", "send", "--ticket", std::to_string(other), "--from", "support@example.test",
            "--to", "carl@customer.test", "--subject", "Re: " + rows[5].subject, "--body",
            "Did that help?"}));
    std::string our_id;
    for (const auto& f : files_in(data() / "mail" / "outgoing")) {
        std::istringstream text(slurp(f));
        for (std::string line; std::getline(text, line);) {
            if (line.rfind("Message-Id: <", 0) == 0 || line.rfind("Message-ID: <", 0) == 0) {
                our_id = line.substr(13, line.find('>') - 13);
            }
        }
    }
    ASSERT_FALSE(our_id.empty()) << "the mail we sent has a Message-Id";
    deliver({reply("[...]", our_id, "Reply text by In-Reply-To: yes it did")}, box);
    const auto replies = fetch("support");
    ASSERT_EQ(replies.exit_code, 0) << replies.out << replies.err;
    EXPECT_EQ(tickets().size(), rows.size()) << "no new ticket for the replies";
    auto t = ticket(first);
    ASSERT_EQ(t["messages"].size(), 2u) << t.dump(1);
    EXPECT_TRUE(t["messages"][1]["encrypted"].get<bool>());
    EXPECT_NE(t["messages"][1]["text"].get<std::string>().find("Reply text by tag: thanks"),
              std::string::npos);
    t = ticket(other);
    ASSERT_EQ(t["messages"].size(), 3u) << t.dump(1);
    EXPECT_EQ(t["messages"][1]["direction"], "out");
    EXPECT_EQ(t["messages"][2]["direction"], "in");
    EXPECT_EQ(t["messages"][2]["subject"], "[...]");
    EXPECT_NE(
        t["messages"][2]["text"].get<std::string>().find("Reply text by In-Reply-To: yes it did"),
        std::string::npos)
        << t["messages"][2].dump(1);

    // Fetched once: the next round finds nothing new, though every mail is still there (IMAP:
    // flagged \Seen; POP3: the UIDLs are remembered).
    const auto again = fetch("support");
    ASSERT_EQ(again.exit_code, 0) << again.err;
    EXPECT_NE(again.out.find("0 new mails stored (" + std::to_string(rows.size() + 2) +
                             " in the mailbox)"),
              std::string::npos)
        << again.out;
    EXPECT_NE(again.out.find("0 filed into tickets, 0 kept as email backups"), std::string::npos)
        << again.out;
    EXPECT_EQ(tickets().size(), rows.size());
    const auto [all, seen] = box_messages(box);
    EXPECT_EQ(all, static_cast<int>(rows.size() + 2)) << "nothing was deleted";
    if (scheme == "imap") {
        EXPECT_EQ(seen, all) << "every fetched mail is flagged \\Seen";
    }
}

TEST_P(IncomingOverProtocol, ThunderbirdMessagesFromTheCorpusBecomeTickets) {
    const fs::path corpus = env_or_empty("CASECRYPT_CORPUS");
    const fs::path tb = corpus / "thunderbird-comm-central" / "smime";
    if (!fs::exists(tb / "Bob.p12")) {
        GTEST_SKIP()
            << "corpus not found at " << corpus
            << " (thunderbird-comm-central/smime/Bob.p12): the Thunderbird messages are not tested";
    }
    // Messages made by Thunderbird (NSS) from Alice to Bob@example.com; MANIFEST.md: decrypt with
    // Bob.p12 (password "nss"), trust TestCA.pem, plaintext "This is a test message from Alice
    // to Bob.". Bob's identity is imported as a server identity: the mail reaches us at
    // support@example.test (envelope), and the pipeline falls back to any server identity a
    // RecipientInfo names.
    const fs::path pass = m_dir.path() / "nss.pass";
    std::ofstream(pass) << "nss";
    import_server((tb / "Bob.p12").string(), pass.string());
    ok(cli({"cert", "import-ca", (tb / "TestCA.pem").string()}));
    struct Case {
        std::string file, signature;  // none | valid | invalid
        bool integrity;
    };
    // alice.env.dsig.*: NSS signed the LF form of the part while the file has CRLF, so the
    // outer signature must come out invalid (MANIFEST.md, "Interop finding").
    const std::vector<Case> cases = {{"alice.env.eml", "none", false},
                                     {"alice.dsig.SHA256.multipart.env.eml", "valid", true},
                                     {"alice.sig.SHA512.opaque.env.eml", "valid", true},
                                     {"alice.env.sig.SHA384.opaque.eml", "valid", false},
                                     {"alice.env.dsig.SHA256.multipart.eml", "invalid", false}};
    const std::string box = make_box("tb-" + GetParam());
    add_account("support", GetParam(), box);
    std::vector<fs::path> files;
    for (const auto& c : cases)
        files.push_back(tb / c.file);
    deliver(files, box);
    const auto fetched = fetch("support");
    ASSERT_EQ(fetched.exit_code, 0) << fetched.out << fetched.err;
    EXPECT_EQ(backups().size(), 0u) << backups().dump(2);
    ASSERT_EQ(tickets().size(), cases.size()) << fetched.out;
    for (const auto& c : cases) {
        SCOPED_TRACE(c.file);
        // The outer Subject, as the file has it (some end in a space).
        std::string subject;
        std::istringstream head(slurp(tb / c.file, 4096));
        for (std::string line; std::getline(head, line);) {
            if (line.rfind("Subject: ", 0) == 0)
                subject = line.substr(9);
        }
        while (!subject.empty() && (subject.back() == '\r' || subject.back() == ' '))
            subject.pop_back();
        long long number = 0;
        for (const auto& t : tickets()) {
            std::string s = t["subject"];
            while (!s.empty() && s.back() == ' ')
                s.pop_back();
            if (s == subject)
                number = t["number"];
        }
        ASSERT_NE(number, 0) << "no ticket \"" << subject << "\"";
        const auto m = ticket(number)["messages"][0];
        ASSERT_TRUE(m["text"].is_string()) << m.dump(1);
        EXPECT_NE(m["text"].get<std::string>().find("This is a test message from Alice to Bob."),
                  std::string::npos)
            << m["text"];
        EXPECT_TRUE(m["encrypted"].get<bool>());
        ASSERT_TRUE(m["encryption"].is_object());
        EXPECT_EQ(m["encryption"]["cipher"],
                  "aes-128-cbc");  // NSS's choice here (asn1parse shows aes-128-cbc)
        EXPECT_EQ(m["encryption"]["integrity_protected"], c.integrity);
        EXPECT_EQ(m["from"], "alice@example.com");
        if (c.signature == "none") {
            EXPECT_TRUE(m["signature"].is_null()) << m.dump(1);
            continue;
        }
        const auto& s = m["signature"];
        ASSERT_TRUE(s.is_object()) << m.dump(1);
        EXPECT_EQ(s["signer"], "alice@example.com");
        EXPECT_EQ(s["valid"].get<bool>(), c.signature == "valid") << s.dump();
        if (c.signature == "valid") {
            EXPECT_TRUE(s["trusted"].get<bool>()) << s.dump();
            EXPECT_TRUE(s["matches_from"].get<bool>()) << s.dump();
        }
    }
}

TEST_P(IncomingOverProtocol, WithDeleteReadMessagesTheMailboxEndsEmptyAndNothingComesTwice) {
    const std::string scheme = GetParam();
    import_support_identities();
    ok(cli({"property", "set", "cmas-nimh", "mailbox.default.task.delete.read.messages", "true"}));
    const std::string box = make_box("del-" + scheme);
    add_account("support", scheme, box);
    deliver({mails() / "01-openssl-smime-aes256.eml", mails() / "08-plain.eml",
             mails() / "charset-cp1252.eml"},
            box);
    ASSERT_EQ(box_messages(box).first, 3);
    const auto fetched = fetch("support");
    ASSERT_EQ(fetched.exit_code, 0) << fetched.out << fetched.err;
    EXPECT_NE(fetched.out.find("3 new mails stored"), std::string::npos) << fetched.out;
    EXPECT_EQ(tickets().size(), 3u);
    EXPECT_EQ(box_messages(box).first, 0) << "the Dovecot mailbox is empty";
    const auto again = fetch("support");
    ASSERT_EQ(again.exit_code, 0) << again.err;
    EXPECT_NE(again.out.find("0 new mails stored (0 in the mailbox)"), std::string::npos)
        << again.out;
    EXPECT_EQ(tickets().size(), 3u);
}

INSTANTIATE_TEST_SUITE_P(Dovecot, IncomingOverProtocol, ::testing::Values("imap", "pop3"),
                         [](const auto& info) { return info.param; });

TEST_F(IncomingMail, TlsFromTheFirstByteImapsAndPop3sReadTheSameMailbox) {
    import_support_identities();
    const std::string box = make_box("tls");
    add_account("imaps", "imaps", box);
    add_account("pop3s", "pop3s", box);
    deliver({mails() / "02-openssl-cms-aes256-gcm.eml"}, box);
    const auto over_imaps = fetch("imaps");
    ASSERT_EQ(over_imaps.exit_code, 0) << over_imaps.out << over_imaps.err;
    EXPECT_NE(over_imaps.out.find("new ticket"), std::string::npos) << over_imaps.out;
    // The same mail over the other protocol is a second copy of a mail already filed.
    const auto over_pop3s = fetch("pop3s");
    ASSERT_EQ(over_pop3s.exit_code, 0) << over_pop3s.out << over_pop3s.err;
    EXPECT_NE(over_pop3s.out.find("1 new mail stored"), std::string::npos) << over_pop3s.out;
    EXPECT_NE(over_pop3s.out.find("a copy of a mail already in ticket"), std::string::npos)
        << over_pop3s.out;
    ASSERT_EQ(tickets().size(), 1u);
    EXPECT_EQ(ticket(tickets()[0]["number"].get<long long>())["messages"].size(), 1u);
}

TEST_F(IncomingMail, AMailForAnAddressWithoutKeyIsABackupUntilTheIdentityIsImported) {
    import_support_identities();  // support only: the mail is encrypted to the helpdesk identity
    const std::string box = make_box("backup");
    add_account("helpdesk", "imap", box);
    deliver({mails() / "backup-helpdesk.eml"}, box, "helpdesk@example.test");
    const auto fetched = fetch("helpdesk");
    ASSERT_EQ(fetched.exit_code, 0)
        << "a backup is no failure to read the mailbox: " << fetched.out << fetched.err;
    EXPECT_NE(fetched.out.find("0 filed into tickets, 1 kept as email backups"), std::string::npos)
        << fetched.out;
    EXPECT_EQ(tickets().size(), 0u);
    auto list = backups();
    ASSERT_EQ(list.size(), 1u) << list.dump(2);
    const auto& b = list[0];
    const std::string cause = b["cause"];
    EXPECT_NE(cause.find("no key"), std::string::npos) << cause;
    EXPECT_NE(cause.find("helpdesk@example.test"), std::string::npos)
        << "names the recipient: " << cause;
    EXPECT_EQ(b["mailbox"], "helpdesk");
    EXPECT_EQ(b["subject"], "For the helpdesk only");
    EXPECT_EQ(b["from"], "carl@customer.test");
    const std::string id = std::to_string(b["id"].get<long long>());
    // The bytes are kept as Dovecot served them: the original mail is inside.
    const fs::path copy = m_dir.path() / "backup.eml";
    ok(cli({"backup", "download", id, "--out", copy.string()}));
    const std::string original = slurp(mails() / "backup-helpdesk.eml");
    const std::string body = original.substr(original.find("\r\n\r\n") + 4);
    EXPECT_NE(slurp(copy).find(body), std::string::npos) << "the encrypted body arrived unchanged";

    const auto early = cli({"backup", "retry", id});
    EXPECT_EQ(early.exit_code, 3) << early.out << early.err;
    EXPECT_EQ(backups().size(), 1u);

    import_server(fx("server/ok-two-addresses.p12"), fx("server/ok-two-addresses.pass"));
    const auto retried = cli({"backup", "retry", id});
    ASSERT_EQ(retried.exit_code, 0) << retried.out << retried.err;
    EXPECT_EQ(backups().size(), 0u) << backups().dump(2);
    ASSERT_EQ(tickets().size(), 1u);
    const auto m = ticket(tickets()[0]["number"].get<long long>())["messages"][0];
    EXPECT_TRUE(m["encrypted"].get<bool>());
    EXPECT_NE(m["text"].get<std::string>().find("Backup text: for the helpdesk identity"),
              std::string::npos);
    // Fetched once: the next round does not bring the mail back as a new backup or ticket.
    const auto again = fetch("helpdesk");
    EXPECT_NE(again.out.find("0 new mails stored"), std::string::npos) << again.out;
    EXPECT_EQ(backups().size(), 0u);
    EXPECT_EQ(tickets().size(), 1u);
}

// The default keeps read mail on the server, so a helpdesk's INBOX grows: every round lists the
// whole folder again. Mail dropped into the Maildir as a delivery agent does (tmp/, owner 65534,
// rename into new/).
TEST_F(IncomingMail, AFolderOfThreeHundredReadMailsIsListedInEveryRound) {
    import_support_identities();
    const std::string box = make_box("many");
    add_account("support", "imap", box);
    constexpr int kMails = 300;
    for (int i = 0; i < kMails; ++i) {
        char name[16];
        std::snprintf(name, sizeof name, "%04d.eml", i);
        const std::string unique = "1764288000." + std::to_string(i) + ".many";
        const fs::path tmp = box_dir(box) / "tmp" / unique;
        fs::copy_file(mails() / "crash" / name, tmp);
        ASSERT_EQ(::chown(tmp.c_str(), 65534, 65534), 0);
        fs::rename(tmp, box_dir(box) / "new" / unique);
    }
    const auto first = fetch("support");
    EXPECT_EQ(first.exit_code, 0) << first.err;
    EXPECT_NE(first.out.find("300 new mails stored"), std::string::npos) << first.err;
    int failed = 0;
    std::string error;
    for (int round = 0; round < 10; ++round) {
        const auto again = fetch("support");
        if (again.exit_code != 0 ||
            again.out.find("0 new mails stored (300 in the mailbox)") == std::string::npos) {
            ++failed;
            error = again.out + again.err;
        }
    }
    EXPECT_EQ(failed, 0) << "of 10 rounds over the same 300 read mails; the last failure:\n"
                         << error;
    EXPECT_EQ(box_messages(box).second, kMails) << "all flagged \\Seen";
}

std::string sha256_of(const fs::path& file) {
    const std::string line = shell("sha256sum " + quote(file.string()));
    return line.substr(0, line.find(' '));
}

TEST_F(IncomingMail, A50MiBAttachmentArrivesIntact) {
    import_support_identities();
    const std::string box = make_box("big");
    add_account("support", "imap", box);
    deliver({mails() / "big-attachment.eml"}, box, "support@example.test",
            std::chrono::seconds(240));
    const auto fetched = fetch("support");
    ASSERT_EQ(fetched.exit_code, 0) << fetched.out << fetched.err;
    EXPECT_EQ(backups().size(), 0u) << backups().dump(2);
    ASSERT_EQ(tickets().size(), 1u) << fetched.out;
    const auto m = ticket(tickets()[0]["number"].get<long long>())["messages"][0];
    EXPECT_TRUE(m["encrypted"].get<bool>());
    EXPECT_NE(m["text"].get<std::string>().find("Big attachment: 50 MiB of random bytes follow."),
              std::string::npos);
    ASSERT_EQ(m["attachments"].size(), 1u) << m.dump(1);
    const auto& a = m["attachments"][0];
    EXPECT_EQ(a["name"], "random.bin");
    EXPECT_EQ(a["size"].get<long long>(), 50LL * 1024 * 1024);
    const fs::path out = m_dir.path() / "random.bin";
    ok(cli(
        {"ticket", "attachment", std::to_string(a["id"].get<long long>()), "--out", out.string()}));
    std::string expected = slurp(mails() / "big-attachment.sha256");
    expected.erase(expected.find_last_not_of("\r\n") + 1);
    EXPECT_EQ(sha256_of(out), expected)
        << "the 50 MiB came through Postfix, Dovecot and casecrypt intact";
}

TEST_F(IncomingMail, CharsetsAndFileNamesComeOutRightEndToEnd) {
    import_support_identities();
    const std::string box = make_box("charset");
    add_account("support", "imap", box);
    deliver({mails() / "charset-latin2.eml", mails() / "charset-cyrillic.eml",
             mails() / "charset-cp1252.eml"},
            box);
    const auto fetched = fetch("support");
    ASSERT_EQ(fetched.exit_code, 0) << fetched.out << fetched.err;
    EXPECT_EQ(backups().size(), 0u) << backups().dump(2);
    ASSERT_EQ(tickets().size(), 3u) << fetched.out;
    auto message = [&](const std::string& subject) -> json {
        const long long number = ticket_with_subject(subject);
        EXPECT_NE(number, 0) << "no ticket with the subject \"" << subject << "\":\n"
                             << tickets().dump(1);
        return number == 0 ? json::object() : ticket(number)["messages"][0];
    };

    // Subject and name in ISO-8859-1 (RFC 2047 Q), body ISO-8859-2 quoted-printable, RFC 2231.
    auto m = message("Grüße aus Köln: Drucker defekt");
    EXPECT_EQ(m.value("from", ""), "Jörg Müller <joerg@customer.test>");
    EXPECT_EQ(m.value("text", ""), "Dzień dobry,\nZażółć gęślą jaźń.\nŁódź, Kraków, Gdańsk.\n");
    ASSERT_EQ(m.value("attachments", json::array()).size(), 1u) << m.dump(1);
    EXPECT_EQ(m["attachments"][0]["name"], "Résumé – 2026.pdf");
    EXPECT_EQ(m["attachments"][0]["type"], "application/pdf");
    const fs::path pdf = m_dir.path() / "resume.pdf";
    ok(cli({"ticket", "attachment", std::to_string(m["attachments"][0]["id"].get<long long>()),
            "--out", pdf.string()}));
    EXPECT_EQ(slurp(pdf), "%PDF-1.4\n% casecrypt test attachment\n");

    // Encrypted: subject and name in UTF-8 (RFC 2047 B), body Windows-1251 base64, attachment
    // name in RFC 2047 Windows-1252.
    m = message("Заявка №42 — принтер");
    EXPECT_TRUE(m.value("encrypted", false));
    EXPECT_EQ(m.value("from", ""), "Иван Петров <ivan@customer.test>");
    EXPECT_EQ(m.value("text", ""), "Здравствуйте!\nПринтер не печатает, код ошибки 42.\n");
    ASSERT_EQ(m.value("attachments", json::array()).size(), 1u) << m.dump(1);
    EXPECT_EQ(m["attachments"][0]["name"], "Angebot € „Entwurf“.txt");

    // Subject and name in Windows-1252 (characters ISO-8859-1 lacks), body UTF-8 quoted-printable.
    m = message("“Quoted” price – 100 €");
    EXPECT_EQ(m.value("from", ""), "Zoë O’Brien <zoe@customer.test>");
    EXPECT_EQ(m.value("text", ""), "Grüß Gott – 100 € „Anführungszeichen“\n");
    EXPECT_FALSE(m.value("encrypted", true));
}

}  // namespace
}  // namespace casecrypt::test
