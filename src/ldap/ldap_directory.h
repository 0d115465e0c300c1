// Certificate lookup in an LDAP directory (OpenLDAP's libldap): the values of the certificate
// attributes of the entries whose search attribute equals an address.
//
// The address is escaped per RFC 4515 before it goes into the filter. A directory that is down
// or slow costs at most about the timeout (connect, TLS, bind and search together; 0.2 s more
// when only the watchdog of ldap/socket_watchdog.h can end a silent TLS handshake) and is
// reported as Errc::io. Each call opens and closes its own connection (and runs one short-lived
// watchdog thread); thread-safe.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "core/secret.h"

namespace casecrypt::ldap {

struct LdapSettings {
    std::string url;      // ldap://host:port or ldaps://host:port
    std::string base_dn;  // search base
    std::string search_attribute = "mail";
    // Tried in order; e.g. {"userSMIMECertificate", "userCertificate;binary"} as Outlook does.
    std::vector<std::string> certificate_attributes = {"userCertificate;binary"};
    std::string bind_dn;  // empty: anonymous
    Secret password;
    bool starttls = false;  // ignored for ldaps://, which is TLS from the start
    // PEM file of the CA(s) that verify the directory's TLS certificate (ldaps:// or StartTLS);
    // empty: libldap's default (TLS_CACERT in ldap.conf, else the system's trust store).
    // The certificate and its host name are always verified.
    std::string ca_file;
    std::chrono::seconds timeout{5};
};

struct CertificateValue {
    std::string attribute;  // which attribute it came from, as spelt in the settings' list
    std::string bytes;      // as stored: DER, PEM, or a PKCS #7 certs-only blob
};

// All values of the certificate attributes, attribute order first, then entry order.
// An empty vector when no entry matches or the entries have none. Returned attribute names are
// matched case-insensitively and with or without ";binary" (servers answer a request for
// "userCertificate;binary" with either). Errors: Errc::io when the directory cannot be used
// (down, silent past the timeout, TLS failure), Errc::usage when the settings are wrong (URL,
// names, bind DN or password refused, StartTLS not offered, base DN missing). Messages name the
// server and the bind DN, never the password.
Result<std::vector<CertificateValue>> find_certificates(const LdapSettings& settings,
                                                        const std::string& address);

// RFC 4515 section 3: escapes '*', '(', ')', '\\' and NUL as \XX (lower-case hex), and also
// control characters and every octet >= 0x7f, so any input gives a pure-ASCII, valid filter.
std::string escape_filter_value(std::string_view value);

}  // namespace casecrypt::ldap
