// CrlfReader: streams a message file with every line ending as CRLF, for SMTP upload.
//
// Why: SMTP requires CRLF (RFC 5321 section 2.3.8), our message files may use LF, and libcurl
// sends an upload as is. Its dot-stuffing (RFC 5321 section 4.5.2) only looks at dots after
// CRLF, so a bare-LF "\n.\n" would reach the server unstuffed, and a server that accepts bare
// LF would end the DATA there (the "SMTP smuggling" shape). CURLOPT_CRLF is no fix: it turns
// every LF into CRLF, so CRLF input would become CR CR LF.
// LF alone becomes CRLF, CRLF stays, a lone CR is passed through. The file is read in chunks,
// so a large message costs constant memory. Owns the open file; not thread-safe.
#pragma once

#include <cstddef>
#include <filesystem>
#include <fstream>
#include <vector>

#include "core/error.h"

namespace casecrypt::transport {

class CrlfReader {
public:
    static Result<CrlfReader> open(const std::filesystem::path& path);

    // Fills up to `size` bytes of `out`; returns 0 at the end of the file.
    Result<std::size_t> read(char* out, std::size_t size);

private:
    CrlfReader(std::filesystem::path path, std::ifstream in);
    bool refill();

    std::filesystem::path m_path;
    std::ifstream m_in;
    std::vector<char> m_buffer;
    std::size_t m_pos = 0;
    std::size_t m_len = 0;
    bool m_prev_cr = false;     // the last byte handed out was a CR
    bool m_pending_lf = false;  // a CR was inserted before a LF that did not fit in `out`
};

}  // namespace casecrypt::transport
