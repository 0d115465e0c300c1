// Small text helpers used across modules: ASCII lower-casing (addresses, header names, MIME
// types are case-insensitive in ASCII only), joining and splitting comma lists, checking UTF-8,
// and making a message one line. Pure functions.
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

// A C library's message (PostgreSQL's "ERROR: ...\nDETAIL: ...\n", an LDAP server's diagnostic)
// as one line: each line break, with the blanks around it, becomes "; " (or one space after a
// line that ends in punctuation), trailing blanks go, tabs become spaces, and any other control
// character is shown as escape_control shows it. For errors made where the library is called.
std::string fold_lines(std::string_view text);

// Every C0 control character and DEL shown visibly: "\r", "\n", "\t", else "\xHH" (and a
// backslash stays as it is), and the C1 controls U+0080..U+009F as "\u00HH", so text from
// strangers cannot break a line or send a terminal escape sequence (ESC, or CSI U+009B).
// Other octets >= 0x80 are left alone (UTF-8). With LineBreaks::keep, LF, CRLF and tab stay
// (a message body printed to a terminal keeps its lines; a CR alone is still shown).
enum class LineBreaks { escape, keep };
std::string escape_control(std::string_view text, LineBreaks breaks = LineBreaks::escape);

}  // namespace casecrypt
