// Turns libldap result codes into casecrypt::Error, in one place (STYLE.md rule 5), so every
// step of a lookup reports a directory problem the same way: Errc::io when the directory could
// not be used (down, silent, connection or TLS failure), Errc::usage when our settings are wrong
// (credentials, base DN, attribute names). Stateless; thread-safe. Only src/ldap includes this.
#pragma once

#include <ldap.h>

#include <string>

#include "core/error.h"

namespace casecrypt::ldap {

// The Errc a libldap result code stands for.
Errc errc_for_ldap_code(int code);

// "context: <libldap's text for code> (<the server's or library's diagnostic message>)".
// Reads the diagnostic message from ld when ld is not null. Never contains the bind password:
// neither libldap nor slapd echo credentials in diagnostics.
Error ldap_error(LDAP* ld, int code, const std::string& context);

// Same, with an explicit Errc for the steps whose meaning the code alone does not tell.
Error ldap_error(LDAP* ld, int code, Errc errc, const std::string& context);

}  // namespace casecrypt::ldap
