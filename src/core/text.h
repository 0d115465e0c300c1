// Small text helpers used across modules: ASCII lower-casing (addresses, header names, MIME
// types are case-insensitive in ASCII only), joining and splitting comma lists, checking UTF-8.
// Pure functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace casecrypt {

std::string to_lower_ascii(std::string_view text);

std::string join(const std::vector<std::string>& parts, std::string_view separator);

// Splits on commas, trims spaces and tabs around each item, drops empty items.
std::vector<std::string> split_list(std::string_view text);

// Whether the bytes are well-formed UTF-8 (RFC 3629: no overlong forms, no surrogates, nothing
// above U+10FFFF), the rule JSON output and the database's text columns rely on.
bool is_valid_utf8(std::string_view text);

}  // namespace casecrypt
