// Encrypting and decrypting S/MIME content with OpenSSL CMS (RFC 5652, RFC 8551).
//
// Both work file to file and stream: encryption never holds the message in memory (CMS
// streaming through a BIO chain), decryption holds only the parsed envelope. Thread-safe: no
// shared state; each call owns its OpenSSL objects.
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/secret.h"
#include "crypto/certificate.h"

namespace casecrypt::crypto {

enum class ContentCipher { aes256_cbc, aes128_cbc, aes256_gcm };
enum class KeyTransport { rsa_pkcs1, rsa_oaep };

Result<ContentCipher> parse_content_cipher(const std::string& name);  // "aes-256-cbc", ...
Result<KeyTransport> parse_key_transport(const std::string& name);    // "rsa-pkcs1", "rsa-oaep"

struct EncryptOptions {
    ContentCipher cipher = ContentCipher::aes256_cbc;
    KeyTransport key_transport = KeyTransport::rsa_pkcs1;
};

// Encrypts the bytes of `entity` (a canonical MIME entity) to every recipient, one
// RecipientInfo each (RSA key transport, or ECDH key agreement for EC keys, RFC 5753), and
// appends the CMS structure as base64 lines (LF) to `out`. GCM makes AuthEnvelopedData.
Result<void> encrypt_file(const std::filesystem::path& entity,
                          const std::vector<Certificate>& recipients, const EncryptOptions& options,
                          const std::filesystem::path& out);

// A key we may decrypt with: the certificate, and the private key fetched only if a
// RecipientInfo names that certificate (PKCS #8 DER).
struct DecryptionIdentity {
    Certificate certificate;
    std::function<Result<Secret>()> private_key;
};

struct DecryptResult {
    bool auth_enveloped = false;
    std::string content_cipher;      // OpenSSL long name, e.g. "aes-256-cbc"
    std::string certificate_sha256;  // the identity that opened it
};

// Decrypts the DER/BER envelope in `der` into `out` (written only when decryption succeeded).
// Recipients are matched by issuer+serial or subject key identifier against the identities'
// certificates, and only matching keys are tried, each with its certificate
// (CMS_decrypt with the certificate), so we are no padding oracle. A key transport that fails
// is reported (CMS_DEBUG_DECRYPT) rather than hidden behind a random content key, which about
// one time in 256 "decrypted" a damaged mail into garbage. Every failure after a match reads
// the same. Errc::rejected "no key for any recipient ..." lists the recipients.
Result<DecryptResult> decrypt_file(const std::filesystem::path& der,
                                   const std::vector<DecryptionIdentity>& identities,
                                   const std::filesystem::path& out);

}  // namespace casecrypt::crypto
