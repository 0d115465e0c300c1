// Building search filters and checking attribute names (RFC 4515, RFC 4512). Addresses come
// from mail headers, i.e. from strangers: they only ever enter a filter escaped, so an address
// like "*)(mail=*" matches nothing instead of everything. Stateless; thread-safe.
// escape_filter_value itself is declared in ldap/ldap_directory.h, the public header.
#pragma once

#include <string>
#include <string_view>

#include "core/error.h"

namespace casecrypt::ldap {

// RFC 4512 section 2.5: attributedescription = attributetype options, where the type is a
// keystring (ALPHA *(ALPHA / DIGIT / "-")) or a numeric OID and each option is ";" 1*keychar.
// Settings name attributes; checking them keeps a setting from smuggling filter syntax in.
bool is_attribute_description(std::string_view name);

// "(attribute=escaped value)", RFC 4515 section 3's equality match; Errc::usage when the
// attribute is not an attribute description or the value is empty.
Result<std::string> equality_filter(std::string_view attribute, std::string_view value);

// The name returned attributes are compared by: lower case (RFC 4512 section 2.5: descriptions
// are case-insensitive) and without the ";binary" transfer option (RFC 4522), since servers
// answer a request for "userCertificate;binary" with either spelling.
std::string attribute_match_key(std::string_view name);

}  // namespace casecrypt::ldap
