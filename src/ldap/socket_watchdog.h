// SocketWatchdog: ends a lookup that libldap's own timeouts do not end.
//
// libldap bounds connect() and each wait for an answer, but not the TLS handshake: libldap 2.5
// with GnuTLS (Debian 12) spins in gnutls_handshake, at full CPU and without end, when a server
// accepted the TCP connection and then stays silent (ldaps://, or StartTLS answered and then
// nothing), whatever LDAP_OPT_NETWORK_TIMEOUT says. The watchdog learns the connection's socket
// from libldap's connect callback and, once the deadline has passed, shuts its reading side
// down: the stuck read sees end-of-file and the call fails at once. It holds a duplicate of the
// descriptor, so what it shuts down is always that connection's socket, even if libldap has
// closed its own descriptor and the number was reused. Only reading is shut down: libldap
// writes with write(2), and writing to a socket shut for writing would raise SIGPIPE.
//
// Owns a thread (stopped and joined by the destructor) and the duplicate descriptor. Register
// it with one LDAP handle, which must be freed before the watchdog (libldap keeps a pointer to
// it). fired() and connected() may be read from any thread. Only src/ldap includes this.
#pragma once

#include <ldap.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <stop_token>
#include <thread>

#include "core/unique_fd.h"

namespace casecrypt::ldap {

class SocketWatchdog {
public:
    explicit SocketWatchdog(std::chrono::steady_clock::time_point deadline);
    ~SocketWatchdog();
    SocketWatchdog(const SocketWatchdog&) = delete;
    SocketWatchdog& operator=(const SocketWatchdog&) = delete;

    // Registers the connect callback with ld (LDAP_OPT_CONNECT_CB); false if libldap refuses.
    bool watch(LDAP* ld);

    // Whether the deadline passed and the socket was shut down.
    bool fired() const { return m_fired.load(); }
    // Whether a TCP connection was made (so a later failure is TLS or protocol, not reachability).
    bool connected() const { return m_connected.load(); }

private:
    static int on_connect(LDAP* ld, Sockbuf* sb, LDAPURLDesc* server, sockaddr* address,
                          ldap_conncb* callback);
    static void on_disconnect(LDAP* ld, Sockbuf* sb, ldap_conncb* callback);
    void run(std::stop_token stop);

    const std::chrono::steady_clock::time_point m_deadline;
    ldap_conncb m_callback{};
    std::mutex m_mutex;
    std::condition_variable_any m_wake;
    UniqueFd m_socket;  // guarded by m_mutex
    std::atomic<bool> m_fired{false};
    std::atomic<bool> m_connected{false};
    std::jthread m_thread;  // last: starts once everything it uses exists
};

}  // namespace casecrypt::ldap
