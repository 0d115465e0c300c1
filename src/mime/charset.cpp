#include "mime/charset.h"

#include <iconv.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <optional>

#include "core/text.h"
#include "mime/gobject_ptr.h"

namespace casecrypt::mime {
namespace {

std::string lower(std::string_view text) {
    return to_lower_ascii(text);
}

void append_utf8(std::string& out, char32_t c) {
    if (c < 0x80) {
        out += static_cast<char>(c);
    } else if (c < 0x800) {
        out += static_cast<char>(0xC0 | (c >> 6));
        out += static_cast<char>(0x80 | (c & 0x3F));
    } else {
        out += static_cast<char>(0xE0 | (c >> 12));
        out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (c & 0x3F));
    }
}

struct IconvClose {
    iconv_t cd;
    ~IconvClose() { g_mime_iconv_close(cd); }
};

// `bytes` in `charset` to UTF-8 with iconv (through GMime's table of charset aliases); an

// invalid or truncated sequence becomes U+FFFD. Nothing when iconv does not know the charset.

std::optional<std::string> iconv_to_utf8(std::string_view bytes, const std::string& charset) {
    const iconv_t cd = g_mime_iconv_open("UTF-8", charset.c_str());
    if (cd == reinterpret_cast<iconv_t>(-1)) {
        return std::nullopt;
    }
    IconvClose closer{cd};
    std::string out;
    std::array<char, 16384> buffer;
    char* in = const_cast<char*>(bytes.data());
    std::size_t in_left = bytes.size();
    while (in_left > 0) {
        char* dest = buffer.data();
        std::size_t dest_left = buffer.size();
        const std::size_t rc = iconv(cd, &in, &in_left, &dest, &dest_left);
        out.append(buffer.data(), dest);
        if (rc == static_cast<std::size_t>(-1) && errno != E2BIG) {
            out += "\xEF\xBF\xBD";  // EILSEQ or EINVAL (cut short at the end): skip one byte
            ++in;
            --in_left;
        }
    }
    return out;
}

// The bytes without NUL (never valid in mail text, RFC 5322 section 2.3: a stray one must not
// make a whole UTF-8 text look invalid).
std::string without_nul(std::string_view raw) {
    std::string bytes(raw);
    std::erase(bytes, '\0');
    return bytes;
}

}  // namespace

// Windows-1252 as the WHATWG Encoding Standard decodes it: 0x80..0x9F through its table (the five
// bytes Windows leaves undefined become the C1 controls), everything else as Latin-1. glibc's
// iconv refuses those five bytes, so this is done here.
std::string windows_1252_to_utf8(std::string_view bytes) {
    static constexpr std::array<char16_t, 32> kHigh = {
        0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
        0x2039, 0x0152, 0x008D, 0x017D, 0x008F, 0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
        0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178};
    std::string out;
    out.reserve(bytes.size() + bytes.size() / 4);
    for (unsigned char b : bytes) {
        append_utf8(out, b >= 0x80 && b < 0xA0 ? kHigh[b - 0x80] : b);
    }
    return out;
}

bool valid_utf8(std::string_view bytes) {
    return g_utf8_validate(bytes.data(), static_cast<gssize>(bytes.size()), nullptr);
}

std::string clean_utf8(std::string_view bytes) {
    const std::string text = without_nul(bytes);
    if (valid_utf8(text))
        return text;
    GCharPtr valid(g_utf8_make_valid(text.data(), static_cast<gssize>(text.size())));
    return valid.get();
}

std::string utf8_or_windows_1252(std::string_view raw) {
    std::string bytes = without_nul(raw);
    return valid_utf8(bytes) ? bytes : windows_1252_to_utf8(bytes);
}

std::string text_to_utf8(std::string_view bytes, const char* declared) {
    const std::string charset = declared != nullptr ? lower(declared) : "";
    if (charset.empty() || charset == "us-ascii" || charset == "ascii") {
        return utf8_or_windows_1252(bytes);
    }
    if (charset == "utf-8" || charset == "utf8") {
        return clean_utf8(bytes);
    }
    static constexpr std::string_view kWindows1252[] = {
        "iso-8859-1", "latin1", "l1", "windows-1252", "windows-cp1252", "cp1252", "x-cp1252"};
    const char* canonical = g_mime_charset_canon_name(charset.c_str());  // "iso_8859-1" -> ...
    const std::string canon = lower(canonical != nullptr ? canonical : charset);
    if (std::find(std::begin(kWindows1252), std::end(kWindows1252), canon) !=
        std::end(kWindows1252)) {
        return windows_1252_to_utf8(without_nul(bytes));
    }
    if (auto converted = iconv_to_utf8(bytes, charset)) {
        return clean_utf8(*converted);  // glibc's iconv writes code points above U+10FFFF
    }
    return utf8_or_windows_1252(bytes);
}

}  // namespace casecrypt::mime
