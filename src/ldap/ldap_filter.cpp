#include "ldap/ldap_filter.h"

#include <cctype>

#include "ldap/ldap_directory.h"

namespace casecrypt::ldap {
namespace {

bool is_alpha(char c) {
    return std::isalpha(static_cast<unsigned char>(c)) != 0;
}
bool is_digit(char c) {
    return std::isdigit(static_cast<unsigned char>(c)) != 0;
}
bool is_keychar(char c) {
    return is_alpha(c) || is_digit(c) || c == '-';
}

bool is_keystring(std::string_view s) {
    if (s.empty() || !is_alpha(s.front()))
        return false;
    for (char c : s) {
        if (!is_keychar(c))
            return false;
    }
    return true;
}

// numericoid = number 1*( DOT number ), number = DIGIT / ( LDIGIT 1*DIGIT ).
bool is_numeric_oid(std::string_view s) {
    int parts = 0;
    while (true) {
        std::size_t dot = s.find('.');
        std::string_view number = s.substr(0, dot);
        if (number.empty() || (number.size() > 1 && number.front() == '0'))
            return false;
        for (char c : number) {
            if (!is_digit(c))
                return false;
        }
        ++parts;
        if (dot == std::string_view::npos)
            return parts >= 2;
        s.remove_prefix(dot + 1);
    }
}

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

}  // namespace

// RFC 4515 section 3: in an assertion value, '*' (0x2a), '(' (0x28), ')' (0x29), '\' (0x5c)
// and NUL must be written as '\' and two hex digits. We also escape every octet >= 0x80 and
// every other control character. RFC 4515 allows those raw only when the whole filter stays
// valid UTF-8, and addresses from mail headers need not be valid UTF-8; escaped, any octet
// string gives a valid, pure-ASCII filter, and the server still receives exactly the same octets
// (the escapes are undone before the value goes on the wire), so a valid UTF-8 value matches
// as it would raw.
std::string escape_filter_value(std::string_view value) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    out.reserve(value.size());
    for (char c : value) {
        const auto octet = static_cast<unsigned char>(c);
        const bool special = c == '*' || c == '(' || c == ')' || c == '\\';
        if (special || octet < 0x20 || octet >= 0x7f) {
            out += '\\';
            out += kHex[octet >> 4];
            out += kHex[octet & 0x0f];
        } else {
            out += c;
        }
    }
    return out;
}

bool is_attribute_description(std::string_view name) {
    std::size_t semi = name.find(';');
    std::string_view type = name.substr(0, semi);
    if (!is_keystring(type) && !is_numeric_oid(type))
        return false;
    while (semi != std::string_view::npos) {
        name.remove_prefix(semi + 1);
        semi = name.find(';');
        std::string_view option = name.substr(0, semi);
        if (option.empty())
            return false;
        for (char c : option) {
            if (!is_keychar(c))
                return false;
        }
    }
    return true;
}

Result<std::string> equality_filter(std::string_view attribute, std::string_view value) {
    if (!is_attribute_description(attribute)) {
        return fail(Errc::usage, "LDAP search attribute \"" + std::string(attribute) +
                                     "\" is not an attribute name");
    }
    if (value.empty())
        return fail(Errc::usage, "LDAP search for an empty value");
    return "(" + std::string(attribute) + "=" + escape_filter_value(value) + ")";
}

std::string attribute_match_key(std::string_view name) {
    std::string key;
    std::size_t semi = name.find(';');
    key = lower(name.substr(0, semi));
    while (semi != std::string_view::npos) {
        name.remove_prefix(semi + 1);
        semi = name.find(';');
        std::string option = lower(name.substr(0, semi));
        if (option != "binary")
            key += ";" + option;
    }
    return key;
}

}  // namespace casecrypt::ldap
