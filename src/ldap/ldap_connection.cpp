#include "ldap/ldap_connection.h"

#include <algorithm>
#include <cctype>

#include "ldap/ldap_error.h"

namespace casecrypt::ldap {
namespace {

// The watchdog acts a little after libldap's own timeouts would have, so that whatever libldap
// can end cleanly, it ends itself.
constexpr std::chrono::milliseconds kWatchdogGrace{200};

bool starts_with_ignoring_case(std::string_view text, std::string_view prefix) {
    return text.size() >= prefix.size() &&
           std::equal(prefix.begin(), prefix.end(), text.begin(), [](char a, char b) {
               return std::tolower(static_cast<unsigned char>(a)) == b;
           });
}

}  // namespace

Result<LdapConnection> LdapConnection::open(const LdapSettings& settings) {
    const bool ldaps = starts_with_ignoring_case(settings.url, "ldaps://");
    if (!ldaps && !starts_with_ignoring_case(settings.url, "ldap://")) {
        return fail(Errc::usage, "LDAP URL \"" + settings.url + "\" is not ldap:// or ldaps://");
    }
    if (settings.timeout <= std::chrono::seconds::zero()) {
        return fail(Errc::usage, "LDAP timeout must be at least one second");
    }
    // RFC 4513 section 5.1.2: a DN with an empty password is an "unauthenticated bind", which
    // many servers accept as anonymous; a forgotten password would then pass silently.
    if (!settings.bind_dn.empty() && settings.password.empty()) {
        return fail(Errc::usage, "LDAP bind DN \"" + settings.bind_dn + "\" has no password");
    }

    const auto deadline = Clock::now() + settings.timeout;
    // Before the handle, so that it outlives it here too.
    auto watchdog = std::make_unique<SocketWatchdog>(deadline + kWatchdogGrace);
    LDAP* raw = nullptr;
    const int rc = ldap_initialize(&raw, settings.url.c_str());
    LdapPtr ld(raw);
    if (rc != LDAP_SUCCESS || !ld) {
        return std::unexpected(
            ldap_error(nullptr, rc, Errc::usage, "LDAP URL \"" + settings.url + "\""));
    }
    if (!watchdog->watch(ld.get()))
        return fail(Errc::internal, "libldap refused a callback");
    LdapConnection connection(std::move(watchdog), std::move(ld), settings, deadline);

    // StartTLS on an ldaps:// connection would be TLS inside TLS, which servers refuse; the
    // connection is encrypted already, so the setting is satisfied.
    const bool starttls = settings.starttls && !ldaps;
    if (auto r = connection.set_options(settings, ldaps || starttls); !r) {
        return std::unexpected(r.error());
    }
    if (auto r = connection.connect(ldaps); !r)
        return std::unexpected(r.error());
    if (starttls) {
        if (auto r = connection.start_tls(); !r)
            return std::unexpected(r.error());
    }
    if (!settings.bind_dn.empty()) {
        if (auto r = connection.bind(settings.bind_dn, settings.password); !r) {
            return std::unexpected(r.error());
        }
    }
    return connection;
}

Result<void> LdapConnection::set_options(const LdapSettings& settings, bool tls) {
    LDAP* ld = m_ld.get();
    const int version = LDAP_VERSION3;
    bool ok = ldap_set_option(ld, LDAP_OPT_PROTOCOL_VERSION, &version) == LDAP_OPT_SUCCESS;
    // A referral would send us, with our timeout spent again, to a host nobody configured.
    ok = ok && ldap_set_option(ld, LDAP_OPT_REFERRALS, LDAP_OPT_OFF) == LDAP_OPT_SUCCESS;
    if (tls) {
        // Verify the server's certificate and name whatever /etc/ldap/ldap.conf says
        // (TLS_REQCERT never there must not turn off our verification), no TLS below 1.2
        // (RFC 8996).
        const int require = LDAP_OPT_X_TLS_HARD;
        const int min_protocol = LDAP_OPT_X_TLS_PROTOCOL_TLS1_2;
        ok = ok && ldap_set_option(ld, LDAP_OPT_X_TLS_REQUIRE_CERT, &require) == LDAP_OPT_SUCCESS;
        ok = ok &&
             ldap_set_option(ld, LDAP_OPT_X_TLS_PROTOCOL_MIN, &min_protocol) == LDAP_OPT_SUCCESS;
        if (!settings.ca_file.empty()) {
            ok = ok && ldap_set_option(ld, LDAP_OPT_X_TLS_CACERTFILE, settings.ca_file.c_str()) ==
                           LDAP_OPT_SUCCESS;
        }
        // TLS options set on a handle only take effect in a TLS context made for that handle;
        // without this the process-wide context (and its CA list) would be used. This is also
        // where an unreadable CA file is noticed.
        const int is_server = 0;
        ok = ok && ldap_set_option(ld, LDAP_OPT_X_TLS_NEWCTX, &is_server) == LDAP_OPT_SUCCESS;
    }
    if (!ok) {
        return fail(Errc::usage,
                    "TLS settings for LDAP server " + m_url + " are unusable" +
                        (settings.ca_file.empty()
                             ? std::string()
                             : " (is the CA file " + settings.ca_file + " readable PEM?)"));
    }
    return {};
}

Result<timeval> LdapConnection::time_left(const std::string& step) const {
    using namespace std::chrono;
    const auto left = duration_cast<microseconds>(m_deadline - Clock::now());
    if (left <= microseconds::zero()) {
        return std::unexpected(failure(LDAP_TIMEOUT, Errc::io, step));
    }
    timeval tv{};
    tv.tv_sec = static_cast<time_t>(left.count() / 1'000'000);
    tv.tv_usec = static_cast<suseconds_t>(left.count() % 1'000'000);
    return tv;
}

Result<void> LdapConnection::arm_timeouts(const std::string& step) {
    auto tv = time_left(step);
    if (!tv)
        return std::unexpected(tv.error());
    // NETWORK_TIMEOUT bounds connect() and (meant to, see SocketWatchdog) the TLS handshake;
    // TIMEOUT bounds the wait for each answer of the synchronous calls (StartTLS, bind).
    if (ldap_set_option(m_ld.get(), LDAP_OPT_NETWORK_TIMEOUT, &*tv) != LDAP_OPT_SUCCESS ||
        ldap_set_option(m_ld.get(), LDAP_OPT_TIMEOUT, &*tv) != LDAP_OPT_SUCCESS) {
        return fail(Errc::internal, "libldap refused a timeout");
    }
    return {};
}

Error LdapConnection::failure(int code, Errc errc, const std::string& what) const {
    if (code == LDAP_TIMEOUT || m_watchdog->fired()) {
        return Error(Errc::io, what + ": no answer within the timeout of " +
                                   std::to_string(m_timeout.count()) + " s");
    }
    return ldap_error(m_ld.get(), code, errc, what);
}

Error LdapConnection::tls_failure(int code, const std::string& what) const {
    const std::string trust = m_ca_file.empty() ? "the system's trust store" : m_ca_file;
    const Error error = ldap_error(m_ld.get(), code, Errc::io, what + ": TLS handshake failed");
    return Error(Errc::io, error.message() +
                               "; is the server's certificate issued for the host in the URL "
                               "and signed by a CA in " +
                               trust + "?");
}

Result<void> LdapConnection::connect(bool ldaps) {
    const std::string what = "cannot reach LDAP server " + m_url;
    if (auto r = arm_timeouts(what); !r)
        return r;
    // libldap would connect lazily on the first request; connecting here lets the error say
    // that the server could not be reached rather than that a bind or search failed. For
    // ldaps:// this includes the TLS handshake.
    const int rc = ldap_connect(m_ld.get());
    if (rc == LDAP_SUCCESS)
        return {};
    if (ldaps && m_watchdog->connected() && !m_watchdog->fired() && rc != LDAP_TIMEOUT) {
        return std::unexpected(tls_failure(rc, "LDAP server " + m_url));
    }
    return std::unexpected(failure(rc, Errc::io, what));
}

Result<void> LdapConnection::start_tls() {
    const std::string what = "StartTLS with LDAP server " + m_url;
    if (auto r = arm_timeouts(what); !r)
        return r;
    const int rc = ldap_start_tls_s(m_ld.get(), nullptr, nullptr);
    if (rc == LDAP_SUCCESS)
        return {};
    if (rc > 0) {
        // The server's answer: it does not offer TLS, so the setting is wrong for it.
        return std::unexpected(
            ldap_error(m_ld.get(), rc, Errc::usage, "LDAP server " + m_url + " refused StartTLS"));
    }
    // Local: a timeout, a lost connection, or a failed handshake (an untrusted certificate).
    if (rc == LDAP_CONNECT_ERROR && !m_watchdog->fired()) {
        return std::unexpected(tls_failure(rc, what));
    }
    return std::unexpected(failure(rc, errc_for_ldap_code(rc), what));
}

Result<void> LdapConnection::bind(const std::string& dn, const Secret& password) {
    const std::string what = "LDAP bind as \"" + dn + "\" to " + m_url + " failed";
    if (auto r = arm_timeouts(what); !r)
        return r;
    berval credentials{};
    credentials.bv_len = static_cast<ber_len_t>(password.size());
    // libldap only reads the credentials; the cast is its C signature's, not a write.
    credentials.bv_val = const_cast<char*>(password.reveal().data());
    const int rc = ldap_sasl_bind_s(m_ld.get(), dn.c_str(), LDAP_SASL_SIMPLE, &credentials, nullptr,
                                    nullptr, nullptr);
    if (rc != LDAP_SUCCESS) {
        return std::unexpected(failure(rc, errc_for_ldap_code(rc), what));
    }
    return {};
}

Result<LdapMessagePtr> LdapConnection::search(const std::string& base, const std::string& filter,
                                              const std::vector<std::string>& attributes) {
    const std::string what = "LDAP search under \"" + base + "\" on " + m_url;
    // The time left goes to the server as the search's time limit (RFC 4511 section 4.5.1.5)
    // and bounds our wait for the result.
    auto tv = time_left(what);
    if (!tv)
        return std::unexpected(tv.error());

    std::vector<char*> names;
    names.reserve(attributes.size() + 1);
    // libldap takes char** but only reads the names.
    for (const auto& a : attributes)
        names.push_back(const_cast<char*>(a.c_str()));
    names.push_back(nullptr);

    LDAPMessage* raw = nullptr;
    const int rc = ldap_search_ext_s(m_ld.get(), base.c_str(), LDAP_SCOPE_SUBTREE, filter.c_str(),
                                     names.data(), 0, nullptr, nullptr, &*tv, LDAP_NO_LIMIT, &raw);
    LdapMessagePtr result(raw);  // allocated on failure too
    if (rc != LDAP_SUCCESS)
        return std::unexpected(failure(rc, errc_for_ldap_code(rc), what));
    return result;
}

}  // namespace casecrypt::ldap
