// Owning handles for OpenLDAP objects (STYLE.md rule 4): every handle is owned on the line that
// acquires it, and no call site frees anything by hand. Only src/ldap includes this.
#pragma once

#include <lber.h>
#include <ldap.h>

#include <memory>

namespace casecrypt::ldap {

template <auto Free>
struct LdapDeleter {
    template <typename T>
    void operator()(T* p) const {
        Free(p);
    }
};

// Unbinding also closes the connection and frees the handle; it sends an UnbindRequest without
// waiting for an answer, so it cannot hang on a silent server.
inline void unbind_ldap(LDAP* ld) {
    ldap_unbind_ext_s(ld, nullptr, nullptr);
}
using LdapPtr = std::unique_ptr<LDAP, LdapDeleter<unbind_ldap>>;

// A whole result chain (every entry of a search); entries inside it are borrowed.
inline void free_message(LDAPMessage* msg) {
    ldap_msgfree(msg);
}
using LdapMessagePtr = std::unique_ptr<LDAPMessage, LdapDeleter<free_message>>;

// The values of one attribute (ldap_get_values_len).
using BerValuesPtr = std::unique_ptr<berval*, LdapDeleter<ldap_value_free_len>>;

// The attribute iterator of ldap_first_attribute: freed without its buffer (freebuf 0), which
// the message owns.
inline void free_ber_element(BerElement* ber) {
    ber_free(ber, 0);
}
using BerElementPtr = std::unique_ptr<BerElement, LdapDeleter<free_ber_element>>;

// Strings libldap allocates (attribute names, DNs, diagnostic messages).
inline void free_ldap_string(char* s) {
    ldap_memfree(s);
}
using LdapStringPtr = std::unique_ptr<char, LdapDeleter<free_ldap_string>>;

}  // namespace casecrypt::ldap
