// PBMAC1 (RFC 9579): the PKCS #12 integrity check that OpenSSL 3.0's PKCS12_verify_mac does not
// know. Verified here with OpenSSL's PBKDF2 and HMAC, so a PBMAC1 file gets the same rule as a
// classic one: its MAC must verify with the password before anything in it is opened.
//
// RFC 9579 section 5: the HMAC key is PBKDF2 (PRF, salt, iteration count and key length from
// the PBMAC1 parameters) over the password as UTF-8 bytes; the MAC covers the content octets of
// the authSafe; macData's own salt and iterations are not used. Parameters out of range (no or
// absurd key length or one under 160 bits, no salt, an unknown PRF or MAC, too many iterations)
// make the file malformed, never a crash (CVE-2025-11187). Thread-safe. Only src/crypto includes
// this.
#pragma once

#include <openssl/pkcs12.h>

#include <string_view>

#include "core/error.h"
#include "core/secret.h"

namespace casecrypt::crypto {

// True when the MAC verifies with password, false when it does not; Errc::rejected when the
// PBMAC1 parameters or the file's structure are malformed. `pfx_der` is the file p12 came from.
Result<bool> verify_pbmac1(const PKCS12* p12, std::string_view pfx_der, const Secret& password);

}  // namespace casecrypt::crypto
