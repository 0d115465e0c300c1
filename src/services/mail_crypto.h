// MailCrypto: `mail encrypt` and `mail decrypt` as use cases, for any edge: encrypt a message
// file to recipients' certificates (given as files or as bytes, checked as an import would
// check them), and decrypt one with a PKCS #12 given with the request or with the store's
// server identities, verifying its signature against the trust anchors. File to file (the
// edge spools streams); the output path is written only by the engine, the edge decides what
// happens to it. Not thread-safe (the store's connection); make one per thread.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/error.h"
#include "core/secret.h"
#include "services/decrypt_report.h"

namespace casecrypt::services {

class KeyRing;
class Properties;

// The content encryption algorithm (RFC 8551 section 2.7) and the key transport (RFC 8551
// 2.2; RSA-OAEP is RFC 3560). to_string gives the names of --cipher / mail.encryption.cipher.
enum class ContentCipher { aes256_cbc, aes128_cbc, aes256_gcm };
enum class KeyTransport { rsa_pkcs1, rsa_oaep };
std::string to_string(ContentCipher cipher);
std::string to_string(KeyTransport transport);
// Errc::rejected for an unknown name.
Result<ContentCipher> parse_content_cipher(const std::string& name);
Result<KeyTransport> parse_key_transport(const std::string& name);

// A certificate or PKCS #12 as bytes (an upload), with the name sentences use for it.
struct InputBytes {
    std::string label;
    std::string bytes;
};

struct EncryptRequest {
    std::vector<std::filesystem::path> certificate_files;  // read, then as certificates
    std::vector<InputBytes> certificates;                  // X.509, PEM or DER, may be bundles
    std::optional<ContentCipher> cipher;        // default: property mail.encryption.cipher
    std::optional<KeyTransport> key_transport;  // default: mail.encryption.key.transport
    std::filesystem::path in;
    std::filesystem::path out;
};

struct DecryptRequest {
    // Decrypt with this identity instead of the store's server certificates.
    std::optional<InputBytes> pkcs12;
    Secret password;  // of pkcs12 (empty: none)
    std::filesystem::path in;
    std::filesystem::path out;
    std::uintmax_t max_message_bytes = 1024ull * 1024 * 1024;
};

class MailCrypto {
public:
    MailCrypto(KeyRing& keys, Properties& properties, const Clock& clock,
               std::filesystem::path work_dir)
        : m_keys(keys), m_properties(properties), m_clock(clock), m_work_dir(std::move(work_dir)) {}

    // Largest certificate or PKCS #12 file read for a request.
    static constexpr std::size_t kMaxCertificateFile = 16 * 1024 * 1024;

    // Every end-entity certificate given must be able to encrypt now (CA certificates in a
    // bundle are skipped): Errc::rejected naming the first that cannot, or "no usable recipient
    // certificate" when none is left. A file that cannot be read is Errc::io.
    Result<void> encrypt(const EncryptRequest& request);
    // Errc::io when `in` or the PKCS #12 cannot be read; Errc::rejected when the PKCS #12 does
    // not open or the message cannot be decrypted.
    Result<DecryptReport> decrypt(const DecryptRequest& request);

private:
    KeyRing& m_keys;
    Properties& m_properties;
    const Clock& m_clock;
    std::filesystem::path m_work_dir;
};

}  // namespace casecrypt::services
