// KeyVault: seals private keys (and stored passwords) under the installation's master key with
// AES-256-GCM, so nothing secret is ever in the database in clear (DESIGN.md, "Data").
//
// The master key is 32 random bytes in a file (base64, one line), mode 0600, created on first
// use. Sealed form: version byte 0x01 | 12-byte nonce | ciphertext | 16-byte tag. The
// associated data binds a sealed value to what it belongs to (a certificate's fingerprint), so
// a sealed key copied to another row does not open. Thread-safe after construction.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "core/error.h"
#include "core/secret.h"

namespace casecrypt::crypto {

class KeyVault {
public:
    // Reads the master key file, creating it (mode 0600) when it does not exist.
    static Result<KeyVault> open_or_create(const std::filesystem::path& key_file);

    Result<std::string> seal(const Secret& plaintext, std::string_view associated_data) const;
    // Errc::rejected when the value was not sealed under this key for this associated data.
    Result<Secret> unseal(std::string_view sealed, std::string_view associated_data) const;

private:
    explicit KeyVault(Secret key) : m_key(std::move(key)) {}

    Secret m_key;
};

}  // namespace casecrypt::crypto
