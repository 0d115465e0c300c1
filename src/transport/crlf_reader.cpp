#include "transport/crlf_reader.h"

#include <cerrno>
#include <cstring>

namespace casecrypt::transport {

namespace {
constexpr std::size_t kChunk = 64 * 1024;
}

Result<CrlfReader> CrlfReader::open(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::error_code ec;
    if (!in || std::filesystem::is_directory(path, ec)) {
        return fail(Errc::io, "cannot read " + path.string() + ": " +
                                  (in ? "it is a directory" : std::strerror(errno)));
    }
    return CrlfReader(path, std::move(in));
}

CrlfReader::CrlfReader(std::filesystem::path path, std::ifstream in)
    : m_path(std::move(path)), m_in(std::move(in)), m_buffer(kChunk) {}

bool CrlfReader::refill() {
    m_in.read(m_buffer.data(), static_cast<std::streamsize>(m_buffer.size()));
    m_pos = 0;
    m_len = static_cast<std::size_t>(m_in.gcount());
    return m_len > 0;
}

Result<std::size_t> CrlfReader::read(char* out, std::size_t size) {
    std::size_t n = 0;
    while (n < size) {
        if (m_pending_lf) {
            out[n++] = '\n';
            m_pending_lf = false;
            m_prev_cr = false;
            continue;
        }
        if (m_pos == m_len && !refill()) {
            if (m_in.bad()) {
                return fail(Errc::io, "cannot read " + m_path.string() + ": read error");
            }
            break;
        }
        const char c = m_buffer[m_pos++];
        if (c == '\n' && !m_prev_cr) {
            out[n++] = '\r';
            m_pending_lf = true;
            continue;
        }
        out[n++] = c;
        m_prev_cr = (c == '\r');
    }
    return n;
}

}  // namespace casecrypt::transport
