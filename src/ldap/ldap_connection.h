// LdapConnection: one open, bound connection to the directory, used for one lookup.
//
// open() connects (ldap:// or ldaps://), optionally runs StartTLS, and binds (simple bind with
// the settings' DN and password, or none for anonymous access, which LDAPv3 allows without a
// bind, RFC 4511 section 4.2). Every step, and the search after them, draws on one deadline of
// settings.timeout, so a directory that is down, or accepts TCP and never answers, costs about
// the timeout in all, not the timeout per step. libldap's timeouts do the work; a
// SocketWatchdog ends what they miss (a silent TLS handshake). Owns its LDAP handle (closed by
// the destructor) and the watchdog's thread; not thread-safe, but any number of connections
// may be open at once.
// Only src/ldap includes this.
#pragma once

#include <sys/time.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "core/error.h"
#include "ldap/ldap_directory.h"
#include "ldap/ldap_ptr.h"
#include "ldap/socket_watchdog.h"

namespace casecrypt::ldap {

class LdapConnection {
public:
    static Result<LdapConnection> open(const LdapSettings& settings);

    // A subtree search under base with filter, asking for attributes; the whole result chain.
    Result<LdapMessagePtr> search(const std::string& base, const std::string& filter,
                                  const std::vector<std::string>& attributes);

    // Borrowed, for reading the entries of a search result.
    LDAP* handle() const { return m_ld.get(); }

private:
    using Clock = std::chrono::steady_clock;

    LdapConnection(std::unique_ptr<SocketWatchdog> watchdog, LdapPtr ld,
                   const LdapSettings& settings, Clock::time_point deadline)
        : m_watchdog(std::move(watchdog)),
          m_ld(std::move(ld)),
          m_url(settings.url),
          m_ca_file(settings.ca_file),
          m_timeout(settings.timeout),
          m_deadline(deadline) {}

    Result<void> set_options(const LdapSettings& settings, bool tls);
    // What is left of the deadline; Errc::io naming the step when nothing is left.
    Result<timeval> time_left(const std::string& step) const;
    // Sets libldap's timeouts to what is left of the deadline; Errc::io when nothing is left.
    Result<void> arm_timeouts(const std::string& step);
    Result<void> connect(bool ldaps);
    Result<void> start_tls();
    Result<void> bind(const std::string& dn, const Secret& password);
    // The error for a failed call: "no answer within the timeout" when it timed out or the
    // watchdog ended it, else libldap's code and diagnostic.
    Error failure(int code, Errc errc, const std::string& what) const;
    // The error for a TLS handshake that failed on a connection that was made.
    Error tls_failure(int code, const std::string& what) const;

    // Declared before m_ld, so destroyed after it: libldap calls back into the watchdog
    // until the handle is freed.
    std::unique_ptr<SocketWatchdog> m_watchdog;
    LdapPtr m_ld;
    std::string m_url;  // for messages: no credentials in it
    std::string m_ca_file;
    std::chrono::seconds m_timeout;
    Clock::time_point m_deadline;
};

}  // namespace casecrypt::ldap
