// Reading what an S/MIME envelope says about itself without decrypting it: enveloped or
// authEnveloped (RFC 5652 section 6, RFC 5083), the content cipher, and to whom it is
// encrypted. OpenSSL 3.0 has no getter for the content-encryption algorithm, so this walks the
// DER/BER of the ContentInfo (definite and indefinite lengths). Pure; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace casecrypt::crypto {

enum class CmsKind { enveloped, auth_enveloped, signed_data, other };

struct CmsOutline {
    CmsKind kind = CmsKind::other;
    std::string content_cipher;  // OpenSSL long name, e.g. "aes-256-cbc", "aes-256-gcm"
};

// Reads the outline from the first bytes of a DER/BER ContentInfo (the recipient infos and the
// algorithm identifier come before the encrypted content, so a prefix is enough).
Result<CmsOutline> inspect_cms(std::string_view prefix);

}  // namespace casecrypt::crypto
