#include "ldap/socket_watchdog.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

namespace casecrypt::ldap {

SocketWatchdog::SocketWatchdog(std::chrono::steady_clock::time_point deadline)
    : m_deadline(deadline), m_thread([this](std::stop_token stop) { run(stop); }) {
    m_callback.lc_add = &SocketWatchdog::on_connect;
    m_callback.lc_del = &SocketWatchdog::on_disconnect;
    m_callback.lc_arg = this;
}

SocketWatchdog::~SocketWatchdog() {
    m_thread.request_stop();  // wakes run() through the stop_token-aware wait
    m_thread.join();
}

bool SocketWatchdog::watch(LDAP* ld) {
    return ldap_set_option(ld, LDAP_OPT_CONNECT_CB, &m_callback) == LDAP_OPT_SUCCESS;
}

int SocketWatchdog::on_connect(LDAP*, Sockbuf* sb, LDAPURLDesc*, sockaddr*, ldap_conncb* callback) {
    auto* self = static_cast<SocketWatchdog*>(callback->lc_arg);
    ber_socket_t fd = -1;
    if (ber_sockbuf_ctrl(sb, LBER_SB_OPT_GET_FD, &fd) != 1 || fd < 0)
        return 0;
    std::lock_guard lock(self->m_mutex);
    self->m_socket.reset(::fcntl(fd, F_DUPFD_CLOEXEC, 0));
    self->m_connected = true;
    // Connected after the deadline: shut down at once rather than after the next wait.
    if (std::chrono::steady_clock::now() >= self->m_deadline && self->m_socket.get() >= 0) {
        ::shutdown(self->m_socket.get(), SHUT_RD);
        self->m_fired = true;
    }
    return 0;  // 0: libldap goes on with the connection
}

void SocketWatchdog::on_disconnect(LDAP*, Sockbuf*, ldap_conncb*) {
    // Nothing to do: the duplicate keeps the socket alive until the watchdog goes away, so a
    // late shutdown can only reach this connection's socket.
}

void SocketWatchdog::run(std::stop_token stop) {
    std::unique_lock lock(m_mutex);
    // Nothing notifies m_wake: the wait ends at the deadline, or early when the destructor
    // requests a stop (the lookup is over).
    m_wake.wait_until(lock, stop, m_deadline, [] { return false; });
    if (stop.stop_requested())
        return;
    if (m_socket.get() >= 0) {
        ::shutdown(m_socket.get(), SHUT_RD);
        m_fired = true;
    }
}

}  // namespace casecrypt::ldap
