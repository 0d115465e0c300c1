// ImapMailbox and Pop3Mailbox (through mailbox.h) against the real Dovecot of the `dovecot` CTest
// fixture (tests/harness/dovecot.sh) over imap:// (STARTTLS), imaps://, pop3:// (STLS) and
// pop3s://: the bytes that come back, keys across sessions, UIDs that differ from sequence
// numbers, done() with and without removal, a session the server ends; and against raw sockets
// for a refused connection, a silent server and a server without STARTTLS.
// dir:// is in directory_mailbox_test.cpp, URLs in mailbox_url_test.cpp.
#include "transport/mailbox.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include "support/run_cli.h"
#include "transport/dovecot_server.h"
#include "transport/scripted_smtp_server.h"

namespace casecrypt::transport {
namespace {

using test::DovecotServer;
using test::unique_address;

std::string slurp(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

// Dots at line starts (POP3 dot-stuffing, RFC 1939 section 3), a lone "." line, 8-bit text.
std::string message_with(const std::string& marker, const std::string& eol) {
    return "From: Alice <alice@customer.test>" + eol + "To: support@example.test" + eol +
           "Subject: Ticket (42) " + marker + eol + "Message-ID: <" + marker + "@casecrypt.test>" +
           eol + eol + "first line" + eol + ".leading dot" + eol + "." + eol + "..two dots" + eol +
           "Gr\xc3\xbc\xc3\x9f" + "e aus K\xc3\xb6ln" + eol + "marker " + marker + eol;
}

// IMAP and POP3 hand out messages with CRLF line ends (RFC 3501 2.3.4 "RFC822", RFC 1939 3),
// so a message stored with bare LFs comes back with exactly each LF turned into CRLF.
std::string to_crlf(const std::string& lf) {
    std::string out;
    for (const char c : lf) {
        if (c == '\n') {
            out += '\r';
        }
        out += c;
    }
    return out;
}

double seconds_since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

class MailboxTest : public ::testing::Test {
protected:
    void SetUp() override {
        auto server = DovecotServer::from_env();
        ASSERT_TRUE(server) << "the dovecot fixture did not run ($CASECRYPT_TEST_DOVECOT_DIR)";
        m_server = *server;
    }

    MailboxSettings settings(const std::string& url, const std::string& user) const {
        MailboxSettings s;
        s.url = url;
        s.user = user;
        s.password = Secret(m_server.password);
        s.ca_file = m_server.ca_file;
        // Dovecot answers a wrong password only after auth_failure_delay (2 s).
        s.timeout = std::chrono::seconds(10);
        return s;
    }

    static std::unique_ptr<Mailbox> open(const MailboxSettings& s) {
        auto mailbox = open_mailbox(s);
        EXPECT_TRUE(mailbox) << mailbox.error().message();
        return mailbox ? std::move(*mailbox) : nullptr;
    }

    static std::vector<MailboxMessage> list(Mailbox& mailbox) {
        auto listed = mailbox.list();
        EXPECT_TRUE(listed) << listed.error().message();
        return listed ? *listed : std::vector<MailboxMessage>();
    }

    std::string fetch(Mailbox& mailbox, const MailboxMessage& message) {
        const auto out = m_dir.path() / ("fetched-" + std::to_string(++m_files) + ".eml");
        auto fetched = mailbox.fetch(message, out);
        EXPECT_TRUE(fetched) << fetched.error().message();
        return fetched ? slurp(out) : std::string();
    }

    static std::vector<std::string> keys(const std::vector<MailboxMessage>& messages) {
        std::vector<std::string> out;
        for (const auto& m : messages) {
            out.push_back(m.key);
        }
        return out;
    }

    DovecotServer m_server;
    test::TempDir m_dir;
    int m_files = 0;
};

// --- the same behaviour over all four listeners --------------------------------------------

enum class Listener { imap, imaps, pop3, pop3s };

class MailServerTest : public MailboxTest, public ::testing::WithParamInterface<Listener> {
protected:
    std::string url() const {
        switch (GetParam()) {
            case Listener::imap:
                return m_server.imap_url();
            case Listener::imaps:
                return m_server.imaps_url();
            case Listener::pop3:
                return m_server.pop3_url();
            case Listener::pop3s:
                return m_server.pop3s_url();
        }
        return {};
    }
    bool is_imap() const { return GetParam() == Listener::imap || GetParam() == Listener::imaps; }
    std::unique_ptr<Mailbox> open_for(const std::string& user) {
        return open(settings(url(), user));
    }
};

TEST_P(MailServerTest, FetchReturnsTheDroppedBytes) {
    const std::string user = unique_address("bytes");
    const std::string crlf = message_with("crlf", "\r\n");
    const std::string lf = message_with("lf", "\n");
    m_server.drop(user, crlf);
    m_server.drop(user, lf);

    auto mailbox = open_for(user);
    ASSERT_TRUE(mailbox);
    const auto messages = list(*mailbox);
    ASSERT_EQ(messages.size(), 2u);
    const std::string first = fetch(*mailbox, messages[0]);
    const std::string second = fetch(*mailbox, messages[1]);
    EXPECT_TRUE(first == crlf) << "oldest first, byte for byte:\n" << first;
    EXPECT_TRUE(second == to_crlf(lf)) << second;
    EXPECT_EQ(messages[0].size, first.size());
    EXPECT_EQ(messages[1].size, second.size());
    EXPECT_NE(messages[0].key, messages[1].key);
}

TEST_P(MailServerTest, KeysAreStableAcrossSessions) {
    const std::string user = unique_address("stable");
    for (const char* marker : {"one", "two", "three"}) {
        m_server.drop(user, message_with(marker, "\r\n"));
    }
    std::vector<MailboxMessage> first_session;
    {
        auto mailbox = open_for(user);
        ASSERT_TRUE(mailbox);
        first_session = list(*mailbox);
        ASSERT_EQ(first_session.size(), 3u);
        EXPECT_EQ(keys(list(*mailbox)), keys(first_session)) << "the same session, again";
    }
    auto mailbox = open_for(user);
    ASSERT_TRUE(mailbox);
    EXPECT_EQ(keys(list(*mailbox)), keys(first_session));
    // A key from the first session fetches its message in the second.
    EXPECT_EQ(fetch(*mailbox, first_session[2]), message_with("three", "\r\n"));
}

// With messages removed in between, UIDs (and POP3 message numbers of an earlier session) no
// longer match sequence numbers: the key must still find its own message, never a neighbour.
TEST_P(MailServerTest, FetchAfterRemovalsReturnsTheRightMessage) {
    const std::string user = unique_address("expunged");
    for (int i = 1; i <= 5; ++i) {
        m_server.drop(user, message_with("m" + std::to_string(i), "\r\n"));
    }
    std::vector<MailboxMessage> before;
    {
        auto mailbox = open_for(user);
        ASSERT_TRUE(mailbox);
        before = list(*mailbox);
        ASSERT_EQ(before.size(), 5u);
        for (int i : {0, 1, 3}) {
            auto done = mailbox->done(before[i], true);
            ASSERT_TRUE(done) << done.error().message();
        }
    }  // POP3: QUIT, and with it the deletions
    auto mailbox = open_for(user);
    ASSERT_TRUE(mailbox);
    const auto after = list(*mailbox);
    ASSERT_EQ(keys(after), (std::vector<std::string>{before[2].key, before[4].key}));
    // m5 now has sequence number 2 and, in IMAP, UID 5.
    EXPECT_EQ(fetch(*mailbox, after[1]), message_with("m5", "\r\n"));
    EXPECT_EQ(fetch(*mailbox, after[0]), message_with("m3", "\r\n"));
    // A removed message's key fails; it does not fetch whatever now sits at its old position.
    const auto gone = m_dir.path() / "gone.eml";
    auto fetched = mailbox->fetch(before[1], gone);
    ASSERT_FALSE(fetched) << slurp(gone);
    EXPECT_EQ(fetched.error().code(), Errc::io);
    EXPECT_NE(fetched.error().message().find(before[1].key), std::string::npos)
        << fetched.error().message();
}

TEST_P(MailServerTest, DoneWithoutRemovalKeepsTheMessage) {
    const std::string user = unique_address("keep");
    m_server.drop(user, message_with("kept", "\r\n"));
    std::vector<MailboxMessage> before;
    {
        auto mailbox = open_for(user);
        ASSERT_TRUE(mailbox);
        before = list(*mailbox);
        ASSERT_EQ(before.size(), 1u);
        auto done = mailbox->done(before[0], false);
        ASSERT_TRUE(done) << done.error().message();
    }
    auto mailbox = open_for(user);
    ASSERT_TRUE(mailbox);
    EXPECT_EQ(keys(list(*mailbox)), keys(before));
    if (is_imap()) {
        // Not fetched, so the \Seen is done()'s: Dovecot keeps it in the Maildir name (":2,S").
        int seen = 0;
        for (const auto& e : std::filesystem::directory_iterator(m_server.mailbox(user) / "cur")) {
            const std::string name = e.path().filename().string();
            seen += name.find(":2,") != std::string::npos &&
                    name.substr(name.find(":2,")).find('S') != std::string::npos;
        }
        EXPECT_EQ(seen, 1);
    }
}

TEST_P(MailServerTest, DoneWithRemovalRemovesItForALaterSession) {
    const std::string user = unique_address("remove");
    m_server.drop(user, message_with("a", "\r\n"));
    m_server.drop(user, message_with("b", "\r\n"));
    {
        auto mailbox = open_for(user);
        ASSERT_TRUE(mailbox);
        const auto messages = list(*mailbox);
        ASSERT_EQ(messages.size(), 2u);
        EXPECT_EQ(fetch(*mailbox, messages[0]), message_with("a", "\r\n"));
        auto done = mailbox->done(messages[0], true);
        ASSERT_TRUE(done) << done.error().message();
        // Removing what is gone already is no error (another worker, an earlier run).
        done = mailbox->done(messages[0], true);
        EXPECT_TRUE(done) << done.error().message();
    }
    auto mailbox = open_for(user);
    ASSERT_TRUE(mailbox);
    const auto messages = list(*mailbox);
    ASSERT_EQ(messages.size(), 1u);
    EXPECT_EQ(fetch(*mailbox, messages[0]), message_with("b", "\r\n"));
}

// The server ends the session between list() and the rest (restart, idle timeout), and
// meanwhile another session removed a message: libcurl opens a new connection, where POP3
// message numbers have shifted. Keys must still reach their own messages, and a DELE must not
// hit a neighbour.
TEST_P(MailServerTest, SurvivesTheServerEndingTheSession) {
    const std::string user = unique_address("kicked");
    for (int i = 1; i <= 3; ++i) {
        m_server.drop(user, message_with("m" + std::to_string(i), "\r\n"));
    }
    auto mailbox = open_for(user);
    ASSERT_TRUE(mailbox);
    const auto messages = list(*mailbox);
    ASSERT_EQ(messages.size(), 3u);
    {
        auto other = open_for(user);
        ASSERT_TRUE(other);
        ASSERT_EQ(list(*other).size(), 3u);
        ASSERT_TRUE(other->done(messages[0], true));
    }
    ASSERT_TRUE(m_server.kick(user));
    EXPECT_EQ(fetch(*mailbox, messages[1]), message_with("m2", "\r\n"));  // POP3: was number 2
    EXPECT_EQ(fetch(*mailbox, messages[2]), message_with("m3", "\r\n"));
    ASSERT_TRUE(m_server.kick(user));
    {
        auto other = open_for(user);
        ASSERT_TRUE(other);
        ASSERT_EQ(list(*other).size(), 2u);
        ASSERT_TRUE(other->done(messages[1], true));
    }
    auto done = mailbox->done(messages[1], true);  // POP3: m2's last number now names m3
    ASSERT_TRUE(done) << done.error().message();
    mailbox.reset();
    auto later = open_for(user);
    ASSERT_TRUE(later);
    EXPECT_EQ(keys(list(*later)), (std::vector<std::string>{messages[2].key}));
}

TEST_P(MailServerTest, WrongPasswordIsRefusedInTheServersWords) {
    const std::string user = unique_address("denied");
    m_server.drop(user, message_with("x", "\r\n"));
    auto s = settings(url(), user);
    s.password = Secret("wrong-hunter2");
    auto mailbox = open(s);
    ASSERT_TRUE(mailbox);
    auto listed = mailbox->list();
    ASSERT_FALSE(listed);
    EXPECT_EQ(listed.error().code(), Errc::io);
    const std::string& message = listed.error().message();
    EXPECT_NE(message.find("Authentication failed"), std::string::npos) << message;
    EXPECT_NE(message.find(url()), std::string::npos) << message;
    EXPECT_EQ(message.find("hunter2"), std::string::npos) << message;
}

TEST_P(MailServerTest, RequireTlsWorksOverStarttlsAndTls) {
    const std::string user = unique_address("tls");
    m_server.drop(user, message_with("tls", "\r\n"));
    auto s = settings(url(), user);
    s.require_tls = true;
    auto mailbox = open(s);
    ASSERT_TRUE(mailbox);
    const auto messages = list(*mailbox);
    ASSERT_EQ(messages.size(), 1u);
    EXPECT_EQ(fetch(*mailbox, messages[0]), message_with("tls", "\r\n"));
}

// The certificate is checked whether STARTTLS is required or merely offered: never a fallback
// to clear text.
TEST_P(MailServerTest, UntrustedCertificateIsRefused) {
    auto s = settings(url(), unique_address("untrusted"));
    s.ca_file.clear();  // the system's store, which does not know the test CA
    auto mailbox = open(s);
    ASSERT_TRUE(mailbox);
    auto listed = mailbox->list();
    ASSERT_FALSE(listed);
    EXPECT_EQ(listed.error().code(), Errc::io);
    EXPECT_NE(listed.error().message().find("certificate"), std::string::npos)
        << listed.error().message();
}

INSTANTIATE_TEST_SUITE_P(Listeners, MailServerTest,
                         ::testing::Values(Listener::imap, Listener::imaps, Listener::pop3,
                                           Listener::pop3s),
                         [](const ::testing::TestParamInfo<Listener>& info) {
                             switch (info.param) {
                                 case Listener::imap:
                                     return "imap";
                                 case Listener::imaps:
                                     return "imaps";
                                 case Listener::pop3:
                                     return "pop3";
                                 case Listener::pop3s:
                                     return "pop3s";
                             }
                             return "unknown";
                         });

// --- IMAP ------------------------------------------------------------------------------------

TEST_F(MailboxTest, ImapListsMessagesFlaggedDeletedAsSuchAndDoneExpungesThem) {
    const std::string user = unique_address("flagged");
    m_server.drop(user, message_with("trashed", "\r\n"), "", "T");  // maildir "T": \Deleted
    m_server.drop(user, message_with("live", "\r\n"));
    auto mailbox = open(settings(m_server.imap_url(), user));
    ASSERT_TRUE(mailbox);
    const auto messages = list(*mailbox);
    ASSERT_EQ(messages.size(), 2u);
    EXPECT_TRUE(messages[0].deleted);
    EXPECT_FALSE(messages[1].deleted);
    EXPECT_EQ(fetch(*mailbox, messages[1]), message_with("live", "\r\n"));
    // A deletion a cut-short round left flagged but not expunged is finished by done().
    auto done = mailbox->done(messages[0], true);
    ASSERT_TRUE(done) << done.error().message();
    const auto after = list(*mailbox);
    ASSERT_EQ(after.size(), 1u);
    EXPECT_EQ(after[0].key, messages[1].key);
}

// libcurl 7.88 refuses a FETCH reply of a few hundred lines ("Too large response headers"),
// depending on how the packets fall; listing goes in slices.
TEST_F(MailboxTest, ImapListsAFolderOfManyMessages) {
    const std::string user = unique_address("many");
    for (int i = 0; i < 450; ++i) {
        m_server.drop(user, message_with("many " + std::to_string(i), "\r\n"));
    }
    for (int round = 0; round < 3; ++round) {
        auto mailbox = open(settings(m_server.imap_url(), user));
        ASSERT_TRUE(mailbox);
        const auto messages = list(*mailbox);
        ASSERT_EQ(messages.size(), 450u);
        std::set<std::string> keys;
        for (const auto& m : messages)
            keys.insert(m.key);
        EXPECT_EQ(keys.size(), 450u);
    }
}

TEST_F(MailboxTest, ImapFolderComesFromTheUrlPathPercentDecoded) {
    const std::string user = unique_address("folder");
    m_server.drop(user, message_with("inbox", "\r\n"));
    m_server.drop(user, message_with("team", "\r\n"), "Team Inbox");
    auto mailbox = open(settings(m_server.imaps_url("Team%20Inbox"), user));
    ASSERT_TRUE(mailbox);
    const auto messages = list(*mailbox);
    ASSERT_EQ(messages.size(), 1u);
    EXPECT_EQ(fetch(*mailbox, messages[0]), message_with("team", "\r\n"));
    auto done = mailbox->done(messages[0], true);
    EXPECT_TRUE(done) << done.error().message();
    EXPECT_TRUE(list(*mailbox).empty());

    auto inbox = open(settings(m_server.imaps_url(), user));  // no path: INBOX
    ASSERT_TRUE(inbox);
    const auto in_inbox = list(*inbox);
    ASSERT_EQ(in_inbox.size(), 1u);
    EXPECT_EQ(fetch(*inbox, in_inbox[0]), message_with("inbox", "\r\n"));
}

TEST_F(MailboxTest, ImapMissingFolderIsAnIoErrorNamingIt) {
    const std::string user = unique_address("nofolder");
    m_server.drop(user, message_with("x", "\r\n"));
    auto mailbox = open(settings(m_server.imap_url("Nowhere"), user));
    ASSERT_TRUE(mailbox);
    auto listed = mailbox->list();
    ASSERT_FALSE(listed);
    EXPECT_EQ(listed.error().code(), Errc::io);
    EXPECT_NE(listed.error().message().find("\"Nowhere\" does not exist"), std::string::npos)
        << listed.error().message();
    EXPECT_NE(listed.error().message().find("doesn't exist"), std::string::npos)  // Dovecot's
        << listed.error().message();
}

TEST_F(MailboxTest, ImapEmptyFolderListsNothing) {
    const std::string user = unique_address("empty");
    m_server.drop(user, message_with("x", "\r\n"));
    auto mailbox = open(settings(m_server.imap_url(), user));
    ASSERT_TRUE(mailbox);
    const auto messages = list(*mailbox);
    ASSERT_EQ(messages.size(), 1u);
    ASSERT_TRUE(mailbox->done(messages[0], true));
    EXPECT_TRUE(list(*mailbox).empty());
}

// --- POP3 ------------------------------------------------------------------------------------

// RFC 1939 section 6: DELE marks, QUIT deletes. libcurl sends QUIT when the handle goes, i.e.
// when the Mailbox is destroyed.
TEST_F(MailboxTest, Pop3DeleteTakesEffectWhenTheMailboxIsDestroyed) {
    const std::string user = unique_address("dele");
    m_server.drop(user, message_with("dele", "\r\n"));
    auto first = open(settings(m_server.pop3_url(), user));
    ASSERT_TRUE(first);
    const auto messages = list(*first);
    ASSERT_EQ(messages.size(), 1u);
    auto done = first->done(messages[0], true);
    ASSERT_TRUE(done) << done.error().message();
    {
        auto meanwhile = open(settings(m_server.pop3_url(), user));
        ASSERT_TRUE(meanwhile);
        EXPECT_EQ(keys(list(*meanwhile)), keys(messages)) << "only marked so far";
    }
    first.reset();  // QUIT
    auto later = open(settings(m_server.pop3_url(), user));
    ASSERT_TRUE(later);
    EXPECT_TRUE(list(*later).empty());
}

// --- faults a real server will not produce on demand ------------------------------------------

// An IMAP or POP3 server for one connection that offers no STARTTLS (STLS), which the fixture's
// Dovecot always offers: what require_tls must refuse before a credential is sent. Answers
// CAPABILITY/CAPA and LOGOUT/QUIT, refuses everything else, records the command lines.
class NoTlsServer {
public:
    explicit NoTlsServer(bool pop3) : m_pop3(pop3) {
        m_listen = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t length = sizeof address;
        ::bind(m_listen, reinterpret_cast<sockaddr*>(&address), sizeof address);
        ::listen(m_listen, 4);
        ::getsockname(m_listen, reinterpret_cast<sockaddr*>(&address), &length);
        m_port = ntohs(address.sin_port);
        m_thread = std::thread([this] { serve(); });
    }
    ~NoTlsServer() {
        m_stop = true;
        m_thread.join();
        ::close(m_listen);
    }
    NoTlsServer(const NoTlsServer&) = delete;
    NoTlsServer& operator=(const NoTlsServer&) = delete;

    int port() const { return m_port; }
    std::vector<std::string> commands() const {
        std::lock_guard lock(m_mutex);
        return m_commands;
    }

private:
    // Waits up to 100 ms for `fd`; false when there is nothing (yet).
    static bool readable(int fd) {
        pollfd p{fd, POLLIN, 0};
        return ::poll(&p, 1, 100) > 0;
    }
    static void say(int fd, const std::string& text) {
        (void)::send(fd, text.data(), text.size(), MSG_NOSIGNAL);
    }
    void serve() {
        while (!m_stop && !readable(m_listen)) {
        }
        if (m_stop) {
            return;
        }
        const int fd = ::accept4(m_listen, nullptr, nullptr, SOCK_CLOEXEC);
        say(fd, m_pop3 ? "+OK ready\r\n" : "* OK IMAP4rev1 ready\r\n");
        std::string buffer;
        bool open = true;
        while (open && !m_stop) {
            if (!readable(fd)) {
                continue;
            }
            char chunk[512];
            const ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
            if (n <= 0) {
                break;
            }
            buffer.append(chunk, static_cast<std::size_t>(n));
            for (auto end = buffer.find("\r\n"); open && end != std::string::npos;
                 end = buffer.find("\r\n")) {
                const std::string line = buffer.substr(0, end);
                buffer.erase(0, end + 2);
                {
                    std::lock_guard lock(m_mutex);
                    m_commands.push_back(line);
                }
                open = answer(fd, line);
            }
        }
        ::close(fd);
    }
    // Returns whether the connection stays open.
    bool answer(int fd, const std::string& line) {
        if (m_pop3) {
            if (line == "CAPA") {
                say(fd, "+OK\r\nUSER\r\nSASL PLAIN\r\nUIDL\r\n.\r\n");
            } else if (line == "QUIT") {
                say(fd, "+OK bye\r\n");
                return false;
            } else {
                say(fd, "-ERR no\r\n");
            }
            return true;
        }
        const std::string tag = line.substr(0, line.find(' '));
        const std::string command = line.substr(std::min(line.size(), tag.size() + 1));
        if (command == "CAPABILITY") {
            say(fd, "* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\n" + tag + " OK done\r\n");
        } else if (command == "LOGOUT") {
            say(fd, "* BYE bye\r\n" + tag + " OK done\r\n");
            return false;
        } else {
            say(fd, tag + " NO no\r\n");
        }
        return true;
    }

    bool m_pop3;
    int m_listen = -1;
    int m_port = 0;
    std::atomic<bool> m_stop{false};
    mutable std::mutex m_mutex;
    std::vector<std::string> m_commands;
    std::thread m_thread;
};

class MailboxFaultTest : public ::testing::Test {
protected:
    Result<std::vector<MailboxMessage>> list_at(const std::string& url, bool require_tls = false) {
        MailboxSettings s;
        s.url = url;
        s.user = "support@example.test";
        s.password = Secret("hunter2-secret");
        s.timeout = std::chrono::seconds(2);
        s.require_tls = require_tls;
        auto mailbox = open_mailbox(s);
        if (!mailbox) {
            return std::unexpected(mailbox.error());
        }
        const auto start = std::chrono::steady_clock::now();
        auto listed = (*mailbox)->list();
        mailbox->reset();  // cleanup too must stay within the bound
        m_elapsed = seconds_since(start);
        return listed;
    }
    double m_elapsed = 0;
};

TEST_F(MailboxFaultTest, NothingListeningFailsAtOnce) {
    test::ClosedPort closed;
    for (const std::string scheme : {"imap", "pop3", "imaps", "pop3s"}) {
        const std::string url = scheme + "://127.0.0.1:" + std::to_string(closed.port()) + "/";
        auto listed = list_at(url);
        ASSERT_FALSE(listed) << url;
        EXPECT_EQ(listed.error().code(), Errc::io);
        EXPECT_NE(listed.error().message().find("Connection refused"), std::string::npos)
            << listed.error().message();
        EXPECT_NE(listed.error().message().find(url), std::string::npos)
            << listed.error().message();
        EXPECT_LT(m_elapsed, 2.0) << url;
    }
}

TEST_F(MailboxFaultTest, SilentServerFailsWithinTheTimeout) {
    test::SilentListener silent;
    for (const std::string scheme : {"imap", "pop3", "imaps", "pop3s"}) {
        for (const bool require_tls : {false, true}) {
            const std::string url = scheme + "://127.0.0.1:" + std::to_string(silent.port()) + "/";
            auto listed = list_at(url, require_tls);
            ASSERT_FALSE(listed) << url;
            EXPECT_EQ(listed.error().code(), Errc::io);
            EXPECT_NE(listed.error().message().find("timeout of 2 s"), std::string::npos)
                << listed.error().message();
            EXPECT_EQ(listed.error().message().find("hunter2"), std::string::npos);
            EXPECT_LT(m_elapsed, 10.0) << url;
            RecordProperty("elapsed_seconds_" + scheme + (require_tls ? "_tls" : ""),
                           std::to_string(m_elapsed));
        }
    }
}

TEST_F(MailboxFaultTest, RequireTlsRefusesAServerWithoutStarttlsBeforeTheLogin) {
    for (const bool pop3 : {false, true}) {
        NoTlsServer server(pop3);
        const std::string url = std::string(pop3 ? "pop3" : "imap") +
                                "://127.0.0.1:" + std::to_string(server.port()) + "/";
        auto listed = list_at(url, true);
        ASSERT_FALSE(listed) << url;
        EXPECT_EQ(listed.error().code(), Errc::io);
        EXPECT_NE(listed.error().message().find(
                      pop3 ? "TLS is required, but the server does not offer STLS"
                           : "TLS is required, but the server does not offer STARTTLS"),
                  std::string::npos)
            << listed.error().message();
        EXPECT_LT(m_elapsed, 5.0);
        ASSERT_FALSE(server.commands().empty());
        EXPECT_EQ(server.commands().front().find("CAPA"), pop3 ? 0u : 5u);  // "A001 CAPABILITY"
        for (const std::string& command : server.commands()) {
            EXPECT_EQ(command.find("AUTH"), std::string::npos) << command;
            EXPECT_EQ(command.find("LOGIN"), std::string::npos) << command;
            EXPECT_EQ(command.find("USER"), std::string::npos) << command;
        }
    }
}

// --- a large message, streamed to the file -----------------------------------------------------

class LargeMessageTest : public MailboxTest, public ::testing::WithParamInterface<Listener> {};

TEST_P(LargeMessageTest, SixtyMebibytesArriveIntact) {
    const std::string user = unique_address("large");
    std::string message = message_with("large", "\r\n");
    message.reserve(61 * 1024 * 1024);
    for (int i = 0; message.size() < 60 * 1024 * 1024; ++i) {
        message += (i % 5 == 0 ? "." : "") + std::to_string(i) + std::string(72, 'x') + "\r\n";
    }
    m_server.drop(user, message);
    const std::string url =
        GetParam() == Listener::imap ? m_server.imap_url() : m_server.pop3_url();
    auto mailbox = open(settings(url, user));
    ASSERT_TRUE(mailbox);
    const auto messages = list(*mailbox);
    ASSERT_EQ(messages.size(), 1u);
    EXPECT_EQ(messages[0].size, message.size());
    const auto start = std::chrono::steady_clock::now();
    const std::string fetched = fetch(*mailbox, messages[0]);
    RecordProperty("fetch_seconds", std::to_string(seconds_since(start)));
    EXPECT_EQ(fetched.size(), message.size());
    EXPECT_TRUE(fetched == message) << "the bytes differ";
}

INSTANTIATE_TEST_SUITE_P(Protocols, LargeMessageTest,
                         ::testing::Values(Listener::imap, Listener::pop3),
                         [](const ::testing::TestParamInfo<Listener>& info) {
                             return info.param == Listener::imap ? "imap" : "pop3";
                         });

}  // namespace
}  // namespace casecrypt::transport
