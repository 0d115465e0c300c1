// Detaching the encrypted content of an EnvelopedData / AuthEnvelopedData (RFC 5652 section
// 6.1, RFC 5083) from its envelope, reading the BER/DER file as a stream.
//
// OpenSSL parses a CMS structure into memory whole, the encrypted content included, which
// would cost twice a large message's size. Split first, the envelope (version, recipients,
// algorithm, MAC: a few KiB) parses small, and the content is handed to CMS_decrypt as the
// "detached" content stream. Encodings are kept byte for byte except for the lengths of the
// elements that enclosed the content. Thread-safe: no shared state.
#pragma once

#include <filesystem>

#include "core/error.h"

namespace casecrypt::crypto {

// Writes the envelope without its encryptedContent to `envelope_out` and the content octets
// (the concatenation of a constructed OCTET STRING's pieces) to `content_out`.
// Errc::rejected "damaged or truncated" when the file is not such a structure.
Result<void> detach_encrypted_content(const std::filesystem::path& der,
                                      const std::filesystem::path& envelope_out,
                                      const std::filesystem::path& content_out);

}  // namespace casecrypt::crypto
