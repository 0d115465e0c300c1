// The connection side of find_certificates: a directory that is down or silent costs about the
// timeout and is Errc::io; StartTLS and ldaps:// verify the server against the configured CA.
// Uses the plain and the TLS slapd of the `slapd` CTest fixtures, and sockets of its own.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <iostream>
#include <string_view>
#include <thread>
#include <vector>

#include "ldap/ldap_directory.h"
#include "ldap/ldap_test_env.h"

namespace casecrypt::ldap {
namespace {

using Clock = std::chrono::steady_clock;
using test::fixture;
using test::read_file;

// A loopback TCP socket bound to a free port. With listen() the kernel completes every
// handshake into the backlog although nobody ever calls accept(): a server that takes the
// connection and never answers. Without listen() nothing listens on the port: connections are
// refused, as when slapd is stopped.
class LoopbackSocket {
public:
    explicit LoopbackSocket(bool listening) : m_fd(::socket(AF_INET, SOCK_STREAM, 0)) {
        EXPECT_GE(m_fd, 0);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        EXPECT_EQ(::bind(m_fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
        socklen_t size = sizeof address;
        EXPECT_EQ(::getsockname(m_fd, reinterpret_cast<sockaddr*>(&address), &size), 0);
        m_port = ntohs(address.sin_port);
        if (listening) {
            EXPECT_EQ(::listen(m_fd, 16), 0);
        }
    }
    ~LoopbackSocket() { ::close(m_fd); }
    LoopbackSocket(const LoopbackSocket&) = delete;
    LoopbackSocket& operator=(const LoopbackSocket&) = delete;

    int fd() const { return m_fd; }
    std::string url(const char* scheme = "ldap") const {
        return std::string(scheme) + "://127.0.0.1:" + std::to_string(m_port);
    }

private:
    int m_fd;
    int m_port = 0;
};

struct Timed {
    Result<std::vector<CertificateValue>> result;
    double seconds;
};

Timed timed_lookup(const LdapSettings& settings) {
    const auto start = Clock::now();
    auto result = find_certificates(settings, "alice@customer.test");
    return {std::move(result), std::chrono::duration<double>(Clock::now() - start).count()};
}

TEST(LdapConnection, NothingListeningIsIoAtOnce) {
    const LoopbackSocket closed(false);
    LdapSettings settings = test::settings_for(closed.url());
    settings.timeout = std::chrono::seconds(2);
    auto [result, seconds] = timed_lookup(settings);
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().code(), Errc::io);
    EXPECT_NE(result.error().message().find(closed.url()), std::string::npos)
        << result.error().message();
    EXPECT_LT(seconds, 1.0);
}

// A server that accepts and never answers, at each step that waits for it.
struct SilentCase {
    const char* name;
    const char* scheme;
    bool starttls;
    bool bind;
};

class SilentServer : public ::testing::TestWithParam<SilentCase> {};

TEST_P(SilentServer, CostsAboutTheTimeoutAndIsIo) {
    const LoopbackSocket silent(true);
    LdapSettings settings = test::settings_for(silent.url(GetParam().scheme));
    settings.timeout = std::chrono::seconds(2);
    settings.starttls = GetParam().starttls;
    if (GetParam().bind) {
        settings.bind_dn = test::kReaderDn;
        settings.password = Secret(test::kReaderPassword);
    }
    auto [result, seconds] = timed_lookup(settings);
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().code(), Errc::io) << result.error().message();
    EXPECT_GE(seconds, 1.5) << result.error().message();
    EXPECT_LT(seconds, 10.0) << result.error().message();
    std::cout << "  " << GetParam().name << ": " << seconds << " s, " << result.error().message()
              << "\n";
}

INSTANTIATE_TEST_SUITE_P(Steps, SilentServer,
                         ::testing::Values(SilentCase{"search", "ldap", false, false},
                                           SilentCase{"bind", "ldap", false, true},
                                           SilentCase{"starttls", "ldap", true, false},
                                           SilentCase{"ldaps", "ldaps", false, false}),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(LdapConnection, StartTlsAgainstAServerWithoutTlsIsAClearError) {
    LdapSettings settings = test::settings_for(test::first_line(test::slapd_dir() / "url"));
    settings.starttls = true;
    auto [result, seconds] = timed_lookup(settings);
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().code(), Errc::usage);
    EXPECT_NE(result.error().message().find("refused StartTLS"), std::string::npos)
        << result.error().message();
    EXPECT_LT(seconds, 2.0);
    std::cout << "  " << result.error().message() << "\n";
}

// Accepts one connection, answers its StartTLS request with success (RFC 4511 section 4.14.2)
// and then says nothing, so the client hangs in the TLS handshake, which libldap's timeouts do
// not bound (the case SocketWatchdog exists for).
void accept_starttls_then_stay_silent(std::stop_token stop, int listener) {
    pollfd wait{listener, POLLIN, 0};
    if (::poll(&wait, 1, 5000) != 1)
        return;
    const int fd = ::accept(listener, nullptr, nullptr);
    if (fd < 0)
        return;
    unsigned char request[256];
    const ssize_t n = ::recv(fd, request, sizeof request, 0);
    // 30 len 02 01 <message id> 77 ...: short-form lengths, as libldap sends this request.
    if (n > 5 && request[0] == 0x30 && request[2] == 0x02 && request[3] == 0x01) {
        constexpr std::string_view oid = "1.3.6.1.4.1.1466.20037";
        // LDAPMessage { messageID, extendedResp [APPLICATION 24] { resultCode success (0),
        // matchedDN "", diagnosticMessage "", responseName [10] the StartTLS OID } }
        std::string response("\x30\x24\x02\x01", 4);
        response += static_cast<char>(request[4]);
        response += std::string("\x78\x1f\x0a\x01\x00\x04\x00\x04\x00\x8a\x16", 11);
        response += oid;
        (void)::send(fd, response.data(), response.size(), MSG_NOSIGNAL);
    }
    while (!stop.stop_requested())
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    ::close(fd);
}

TEST(LdapConnection, SilentTlsHandshakeAfterStartTlsCostsAboutTheTimeout) {
    const LoopbackSocket listener(true);
    std::jthread server(accept_starttls_then_stay_silent, listener.fd());
    LdapSettings settings = test::settings_for(listener.url());
    settings.timeout = std::chrono::seconds(2);
    settings.starttls = true;
    auto [result, seconds] = timed_lookup(settings);
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().code(), Errc::io) << result.error().message();
    EXPECT_GE(seconds, 1.5) << result.error().message();
    EXPECT_LT(seconds, 10.0) << result.error().message();
    std::cout << "  " << seconds << " s, " << result.error().message() << "\n";
}

class LdapTls : public ::testing::Test {
protected:
    void SetUp() override {
        m_ldap_url = test::first_line(test::slapd_tls_dir() / "url");
        m_ldaps_url = test::first_line(test::slapd_tls_dir() / "ldaps_url");
        ASSERT_FALSE(m_ldaps_url.empty()) << "the slapd_tls fixture did not start";
        m_ca_file = (test::slapd_tls_dir() / "ca.pem").string();
    }
    std::string m_ldap_url, m_ldaps_url, m_ca_file;
};

TEST_F(LdapTls, StartTlsWithTheRightCaFindsTheCertificate) {
    LdapSettings settings = test::settings_for(m_ldap_url);
    settings.starttls = true;
    settings.ca_file = m_ca_file;
    settings.bind_dn = test::kReaderDn;
    settings.password = Secret(test::kReaderPassword);
    auto found = find_certificates(settings, "alice@customer.test");
    ASSERT_TRUE(found) << found.error().message();
    ASSERT_EQ(found->size(), 1u);
    EXPECT_EQ(found->front().bytes, read_file(fixture("alice.der")));
}

TEST_F(LdapTls, LdapsWithTheRightCaFindsTheCertificate) {
    LdapSettings settings = test::settings_for(m_ldaps_url);
    settings.ca_file = m_ca_file;
    settings.starttls = true;  // ignored: ldaps:// is TLS already
    auto found = find_certificates(settings, "alice@customer.test");
    ASSERT_TRUE(found) << found.error().message();
    ASSERT_EQ(found->size(), 1u);
    EXPECT_EQ(found->front().bytes, read_file(fixture("alice.der")));
}

TEST_F(LdapTls, ConcurrentLookupsEachUseTheirOwnConnection) {
    // The header promises thread safety: one handle per call, TLS contexts per handle.
    const std::string alice = read_file(fixture("alice.der"));
    std::atomic<int> found{0};
    {
        std::vector<std::jthread> threads;
        for (int t = 0; t < 8; ++t) {
            threads.emplace_back([&, t] {
                LdapSettings settings = test::settings_for(t % 2 == 0 ? m_ldaps_url : m_ldap_url);
                settings.ca_file = m_ca_file;
                settings.starttls = t % 4 == 1;
                for (int i = 0; i < 5; ++i) {
                    auto r = find_certificates(settings, "alice@customer.test");
                    if (r && r->size() == 1 && r->front().bytes == alice)
                        ++found;
                }
            });
        }
    }
    EXPECT_EQ(found.load(), 40);
}

TEST_F(LdapTls, UntrustedServerCertificateIsRefused) {
    // The customer CA of the fixtures did not sign the server's certificate.
    const std::string wrong_ca = fixture("ca.pem").string();
    for (const bool ldaps : {false, true}) {
        LdapSettings settings = test::settings_for(ldaps ? m_ldaps_url : m_ldap_url);
        settings.starttls = !ldaps;
        settings.ca_file = wrong_ca;
        auto [result, seconds] = timed_lookup(settings);
        ASSERT_FALSE(result) << (ldaps ? "ldaps" : "StartTLS");
        EXPECT_EQ(result.error().code(), Errc::io) << result.error().message();
        EXPECT_LT(seconds, 2.0);
        std::cout << "  " << (ldaps ? "ldaps" : "StartTLS") << ": " << result.error().message()
                  << "\n";
    }
}

TEST_F(LdapTls, MissingCaFileIsAnError) {
    LdapSettings settings = test::settings_for(m_ldaps_url);
    settings.ca_file = "/nonexistent/ca.pem";
    auto found = find_certificates(settings, "alice@customer.test");
    ASSERT_FALSE(found);
    std::cout << "  " << found.error().message() << "\n";
}

}  // namespace
}  // namespace casecrypt::ldap
