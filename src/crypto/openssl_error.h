// The one place OpenSSL's error queue becomes a casecrypt::Error (STYLE.md rule 5), and the
// process-wide OpenSSL set-up.
#pragma once

#include <string>

#include "core/error.h"

namespace casecrypt::crypto {

// Drains the thread's OpenSSL error queue into "context (reason; reason)".
Error openssl_error(Errc code, const std::string& context);

// Discards whatever is on the thread's error queue (after an expected failure).
void clear_openssl_errors();

// Loads the "default" and "legacy" providers so old RC2/3DES PKCS #12 files and old mail open.
// Idempotent and thread-safe; fails when the legacy module is missing.
Result<void> init_openssl();

}  // namespace casecrypt::crypto
