#include "core/text.h"

namespace casecrypt {

std::string to_lower_ascii(std::string_view text) {
    std::string out(text);
    for (char& c : out) {
        if (c >= 'A' && c <= 'Z')
            c = static_cast<char>(c - 'A' + 'a');
    }
    return out;
}

std::string join(const std::vector<std::string>& parts, std::string_view separator) {
    std::string out;
    for (const auto& part : parts) {
        if (!out.empty())
            out += separator;
        out += part;
    }
    return out;
}

std::vector<std::string> split_list(std::string_view text) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start <= text.size()) {
        auto comma = text.find(',', start);
        if (comma == std::string_view::npos)
            comma = text.size();
        std::string_view item = text.substr(start, comma - start);
        const auto first = item.find_first_not_of(" \t");
        const auto last = item.find_last_not_of(" \t");
        if (first != std::string_view::npos)
            out.emplace_back(item.substr(first, last - first + 1));
        start = comma + 1;
    }
    return out;
}

bool is_valid_utf8(std::string_view text) {
    const auto* p = reinterpret_cast<const unsigned char*>(text.data());
    const auto* end = p + text.size();
    auto continuation = [&](const unsigned char* at) { return at < end && (*at & 0xC0) == 0x80; };
    while (p < end) {
        const unsigned char c = *p;
        if (c < 0x80) {
            ++p;
            continue;
        }
        // Table 3-7 of the Unicode standard: the allowed second bytes depend on the first.
        unsigned char low = 0x80, high = 0xBF;
        int length = 0;
        if (c >= 0xC2 && c <= 0xDF) {
            length = 2;
        } else if (c >= 0xE0 && c <= 0xEF) {
            length = 3;
            if (c == 0xE0)
                low = 0xA0;  // overlong
            if (c == 0xED)
                high = 0x9F;  // surrogates
        } else if (c >= 0xF0 && c <= 0xF4) {
            length = 4;
            if (c == 0xF0)
                low = 0x90;  // overlong
            if (c == 0xF4)
                high = 0x8F;  // above U+10FFFF
        } else {
            return false;
        }
        if (p + 1 >= end || p[1] < low || p[1] > high)
            return false;
        for (int i = 2; i < length; ++i) {
            if (!continuation(p + i))
                return false;
        }
        p += length;
    }
    return true;
}

namespace {

bool is_control(unsigned char c) {
    return c < 0x20 || c == 0x7f;
}

void append_escaped(std::string& out, unsigned char c) {
    static constexpr char kDigits[] = "0123456789abcdef";
    switch (c) {
        case '\r':
            out += "\\r";
            return;
        case '\n':
            out += "\\n";
            return;
        case '\t':
            out += "\\t";
            return;
        default:
            out += "\\x";
            out += kDigits[c >> 4];
            out += kDigits[c & 15];
    }
}

void trim_blanks_right(std::string& text) {
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t'))
        text.pop_back();
}

}  // namespace

std::string fold_lines(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c == '\r' || c == '\n') {
            // The whole run of breaks and the blanks around it is one separator.
            while (i + 1 < text.size() && (text[i + 1] == '\r' || text[i + 1] == '\n' ||
                                           text[i + 1] == ' ' || text[i + 1] == '\t')) {
                ++i;
            }
            trim_blanks_right(out);
            if (out.empty() || i + 1 == text.size())
                continue;
            const char last = out.back();
            out += last == '.' || last == ':' || last == ';' || last == ',' ? " " : "; ";
        } else if (c == '\t') {
            out += ' ';
        } else if (is_control(c)) {
            append_escaped(out, c);
        } else {
            out += static_cast<char>(c);
        }
    }
    trim_blanks_right(out);
    return out;
}

std::string escape_control(std::string_view text, LineBreaks breaks) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (breaks == LineBreaks::keep && (c == '\n' || c == '\t')) {
            out += text[i];
        } else if (breaks == LineBreaks::keep && c == '\r' && i + 1 < text.size() &&
                   text[i + 1] == '\n') {
            continue;  // CRLF ends a line like LF
        } else if (is_control(c)) {
            append_escaped(out, c);
        } else if (c == 0xC2 && i + 1 < text.size() &&
                   static_cast<unsigned char>(text[i + 1]) >= 0x80 &&
                   static_cast<unsigned char>(text[i + 1]) <= 0x9F) {
            // U+0080..U+009F, the C1 controls: U+009B is CSI, which terminals obey like ESC [.
            static constexpr char kDigits[] = "0123456789abcdef";
            const auto low = static_cast<unsigned char>(text[++i]);
            out += "\\u00";
            out += kDigits[low >> 4];
            out += kDigits[low & 15];
        } else {
            out += text[i];
        }
    }
    return out;
}

}  // namespace casecrypt
