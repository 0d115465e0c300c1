#include "crypto/cms_detach.h"

#include <cstdint>
#include <fstream>
#include <optional>
#include <string>

#include "core/file_io.h"

namespace casecrypt::crypto {
namespace {

constexpr int kMaxDepth = 64;
constexpr std::size_t kMaxEnvelopePart = 16 * 1024 * 1024;  // recipients, attributes

struct Header {
    unsigned char first = 0;  // identifier octet (class, constructed bit, low tag)
    std::string bytes;        // the header as read (identifier and length octets)
    bool indefinite = false;
    std::uint64_t length = 0;
    bool constructed() const { return (first & 0x20) != 0; }
    bool end_of_contents() const { return first == 0 && !indefinite && length == 0; }
};

struct Damaged {};

class BerStream {
public:
    explicit BerStream(std::ifstream& in) : m_in(in) {}

    std::uint64_t position() const { return m_position; }

    unsigned char byte() {
        const int c = m_in.get();
        if (c == std::char_traits<char>::eof())
            throw Damaged{};
        ++m_position;
        return static_cast<unsigned char>(c);
    }

    Header header() {
        Header h;
        h.first = byte();
        h.bytes += static_cast<char>(h.first);
        if ((h.first & 0x1f) == 0x1f) {  // high tag number form
            unsigned char b = 0;
            int n = 0;
            do {
                b = byte();
                h.bytes += static_cast<char>(b);
                if (++n > 4)
                    throw Damaged{};
            } while ((b & 0x80) != 0);
        }
        const unsigned char l = byte();
        h.bytes += static_cast<char>(l);
        if (l == 0x80) {
            if (!h.constructed())
                throw Damaged{};
            h.indefinite = true;
        } else if ((l & 0x80) != 0) {
            const int n = l & 0x7f;
            if (n > 8)
                throw Damaged{};
            for (int i = 0; i < n; ++i) {
                const unsigned char b = byte();
                h.bytes += static_cast<char>(b);
                h.length = (h.length << 8) | b;
            }
        } else {
            h.length = l;
        }
        return h;
    }

    // Reads the rest of an element whose header was read, appending its raw bytes.
    void rest(const Header& h, std::string& out, int depth = 0) {
        if (depth > kMaxDepth || out.size() > kMaxEnvelopePart)
            throw Damaged{};
        if (!h.indefinite) {
            if (h.length > kMaxEnvelopePart)
                throw Damaged{};
            std::string buffer(h.length, '\0');
            m_in.read(buffer.data(), static_cast<std::streamsize>(h.length));
            if (static_cast<std::uint64_t>(m_in.gcount()) != h.length)
                throw Damaged{};
            m_position += h.length;
            out += buffer;
            return;
        }
        for (;;) {
            const Header inner = header();
            out += inner.bytes;
            if (inner.end_of_contents())
                return;
            rest(inner, out, depth + 1);
        }
    }

    std::string element() {
        const Header h = header();
        std::string out = h.bytes;
        rest(h, out);
        return out;
    }

    // Copies the octets of an OCTET STRING (primitive, or constructed from pieces).
    void octets(const Header& h, std::ofstream& out, int depth = 0) {
        if (depth > kMaxDepth)
            throw Damaged{};
        if (!h.constructed()) {
            char buffer[65536];
            std::uint64_t left = h.length;
            while (left > 0) {
                const auto n =
                    static_cast<std::streamsize>(std::min<std::uint64_t>(left, sizeof buffer));
                m_in.read(buffer, n);
                if (m_in.gcount() != n)
                    throw Damaged{};
                out.write(buffer, n);
                left -= static_cast<std::uint64_t>(n);
                m_position += static_cast<std::uint64_t>(n);
            }
            return;
        }
        const std::uint64_t end = m_position + h.length;
        for (;;) {
            if (!h.indefinite && m_position >= end) {
                if (m_position != end)
                    throw Damaged{};
                return;
            }
            const Header piece = header();
            if (piece.end_of_contents()) {
                if (!h.indefinite)
                    throw Damaged{};
                return;
            }
            if ((piece.first & 0x1f) != 0x04)
                throw Damaged{};  // pieces are OCTET STRINGs
            octets(piece, out, depth + 1);
        }
    }

    // True when the enclosing element (definite end, or indefinite) has more children.
    bool more(const Header& parent, std::uint64_t end, std::optional<Header>& peeked) {
        if (!parent.indefinite)
            return m_position < end;
        peeked = header();
        return !peeked->end_of_contents();
    }

private:
    std::ifstream& m_in;
    std::uint64_t m_position = 0;
};

std::string encode_length(std::uint64_t length) {
    if (length < 0x80)
        return std::string(1, static_cast<char>(length));
    std::string digits;
    while (length > 0) {
        digits.insert(digits.begin(), static_cast<char>(length & 0xff));
        length >>= 8;
    }
    return std::string(1, static_cast<char>(0x80 | digits.size())) + digits;
}

std::string wrap(unsigned char identifier, const std::string& content) {
    return std::string(1, static_cast<char>(identifier)) + encode_length(content.size()) + content;
}

}  // namespace

Result<void> detach_encrypted_content(const std::filesystem::path& der,
                                      const std::filesystem::path& envelope_out,
                                      const std::filesystem::path& content_out) {
    std::ifstream in(der, std::ios::binary);
    if (!in) {
        return fail(Errc::io, "cannot read " + der.string());
    }
    // Both outputs are 0600 whatever the umask (they sit in a ScratchDir beside plaintext).
    if (auto made = create_private_file(content_out); !made) {
        return made;
    }
    if (auto made = create_private_file(envelope_out); !made) {
        return made;
    }
    std::ofstream content(content_out, std::ios::binary | std::ios::trunc);
    if (!content) {
        return fail(Errc::io, "cannot write " + content_out.string());
    }
    try {
        BerStream s(in);
        const Header info = s.header();  // ContentInfo
        if (info.first != 0x30)
            throw Damaged{};
        const std::string type = s.element();
        const Header explicit0 = s.header();  // [0] EXPLICIT
        if (explicit0.first != 0xa0)
            throw Damaged{};
        const Header enveloped = s.header();  // EnvelopedData / AuthEnvelopedData
        if (enveloped.first != 0x30)
            throw Damaged{};
        const std::uint64_t enveloped_end = s.position() + enveloped.length;

        std::string before;  // version, originatorInfo, recipientInfos
        Header eci;
        for (;;) {
            const Header h = s.header();
            if (h.first == 0x30) {
                eci = h;  // EncryptedContentInfo: the first SEQUENCE after the SET
                break;
            }
            before += h.bytes;
            s.rest(h, before);
        }
        const std::uint64_t eci_end = s.position() + eci.length;
        std::string eci_content = s.element();  // contentType
        eci_content += s.element();             // contentEncryptionAlgorithm
        std::optional<Header> peeked;
        bool had_content = false;
        if (s.more(eci, eci_end, peeked)) {
            const Header h = peeked ? *peeked : s.header();
            if ((h.first & 0x1f) != 0x00 || (h.first & 0xc0) != 0x80)
                throw Damaged{};  // [0]
            s.octets(h, content);
            had_content = true;
            peeked.reset();
            if (eci.indefinite) {
                if (!s.header().end_of_contents())
                    throw Damaged{};
            } else if (s.position() != eci_end) {
                throw Damaged{};
            }
        }
        if (!had_content)
            throw Damaged{};  // already detached: nothing to decrypt
        std::string after;    // unprotectedAttrs, or authAttrs, mac, unauthAttrs
        for (;;) {
            peeked.reset();
            if (!s.more(enveloped, enveloped_end, peeked))
                break;
            const Header h = peeked ? *peeked : s.header();
            after += h.bytes;
            s.rest(h, after);
        }
        const std::string envelope =
            wrap(0x30, type + wrap(0xa0, wrap(0x30, before + wrap(0x30, eci_content) + after)));
        std::ofstream out(envelope_out, std::ios::binary | std::ios::trunc);
        out.write(envelope.data(), static_cast<std::streamsize>(envelope.size()));
        if (!out.flush() || !content.flush()) {
            return fail(Errc::io, "cannot write " + envelope_out.string());
        }
    } catch (const Damaged&) {
        return fail(Errc::rejected, "the S/MIME data is damaged or truncated");
    }
    return {};
}

}  // namespace casecrypt::crypto
