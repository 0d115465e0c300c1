#include "ldap/ldap_error.h"

#include <string_view>

#include "core/text.h"
#include "ldap/ldap_ptr.h"

namespace casecrypt::ldap {

Errc errc_for_ldap_code(int code) {
    switch (code) {
        // Settings the directory rejected: an administrator has to change them, retrying will
        // not help.
        case LDAP_INVALID_CREDENTIALS:
        case LDAP_INAPPROPRIATE_AUTH:
        case LDAP_INSUFFICIENT_ACCESS:
        case LDAP_STRONG_AUTH_REQUIRED:
        case LDAP_CONFIDENTIALITY_REQUIRED:
        case LDAP_NO_SUCH_OBJECT:
        case LDAP_INVALID_DN_SYNTAX:
        case LDAP_FILTER_ERROR:
        case LDAP_UNDEFINED_TYPE:
        case LDAP_PARAM_ERROR:
        case LDAP_NOT_SUPPORTED:
        case LDAP_AUTH_METHOD_NOT_SUPPORTED:
            return Errc::usage;
        case LDAP_NO_MEMORY:
            return Errc::internal;
        // Everything else (LDAP_SERVER_DOWN, LDAP_TIMEOUT, LDAP_CONNECT_ERROR, a busy or
        // unavailable server, garbage on the wire) means the directory could not be used now.
        default:
            return Errc::io;
    }
}

Error ldap_error(LDAP* ld, int code, Errc errc, const std::string& context) {
    std::string message = context + ": " + ldap_err2string(code);
    if (ld != nullptr) {
        char* raw = nullptr;
        if (ldap_get_option(ld, LDAP_OPT_DIAGNOSTIC_MESSAGE, &raw) == LDAP_OPT_SUCCESS) {
            LdapStringPtr diagnostic(raw);
            // libldap's TLS layer leaves "(unknown error code)" when it has nothing to add.
            // The diagnostic is the server's text: any number of lines, any bytes.
            const std::string text = fold_lines(diagnostic ? diagnostic.get() : "");
            if (!text.empty() && text != "(unknown error code)") {
                message += " (" + text + ")";
            }
        }
    }
    return Error(errc, std::move(message));
}

Error ldap_error(LDAP* ld, int code, const std::string& context) {
    return ldap_error(ld, code, errc_for_ldap_code(code), context);
}

}  // namespace casecrypt::ldap
