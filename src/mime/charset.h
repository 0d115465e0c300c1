// Charsets of received mail: bytes in a declared charset to UTF-8, the way real mail needs it
// (charsets that lie, Windows-1252 bytes glibc's iconv refuses, stray NULs). Used for bodies
// and for anything else a stranger wrote. Thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace casecrypt::mime {

// RFC 2046 section 4.1.2: the text in its declared charset (nullptr or "" when none). Real
// mail lies about charsets, so: none, us-ascii or one iconv does not know means UTF-8 when the
// bytes are valid UTF-8, else Windows-1252; ISO-8859-1 is read as Windows-1252 (as browsers
// do: the C1 range carries curly quotes and the euro sign in practice); invalid UTF-8 keeps its
// valid parts (the rest becomes U+FFFD); NUL bytes are dropped.
std::string text_to_utf8(std::string_view bytes, const char* declared_charset);

// UTF-8 when the bytes are valid UTF-8, else read as Windows-1252.
std::string utf8_or_windows_1252(std::string_view bytes);

bool valid_utf8(std::string_view bytes);
// The bytes as strictly valid UTF-8 (no overlong forms, surrogates or code points above
// U+10FFFF; each invalid sequence becomes U+FFFD) without NUL: for anything a stranger wrote
// that the product stores, prints or hands to libxml2 (glibc's iconv and GMime can return
// 5- and 6-byte sequences, libxml2 lets overlong forms through).
std::string clean_utf8(std::string_view bytes);
std::string windows_1252_to_utf8(std::string_view bytes);

}  // namespace casecrypt::mime
