// KeyVault: seals private keys (and stored passwords) under the installation's master key with
// AES-256-GCM, so nothing secret is ever in the database in clear (DESIGN.md, "Data").
//
// The master key is 32 random bytes in a file (base64, one line), mode 0600. Whether a missing
// key may be created is the caller's decision (services::open_master_key: never for a database
// that holds sealed data). Sealed form: version byte 0x01 | 12-byte nonce | ciphertext | 16-byte
// tag. The associated data binds a sealed value to what it belongs to (a certificate's
// fingerprint), so a sealed key copied to another row does not open.
//
// The check value is HMAC-SHA256 of a constant under a key derived from the master key (one
// HKDF-Expand block: HMAC-SHA256(master key, label || 0x01)): stored in the database, it tells
// a wrong master key from damaged sealed data and reveals nothing about the key. Thread-safe
// after construction (mark_checked() is part of construction).
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "core/error.h"
#include "core/secret.h"

namespace casecrypt::crypto {

class KeyVault {
public:
    // Reads an existing master key file. Errc::io when it cannot be read, Errc::rejected when
    // it does not hold a key.
    static Result<KeyVault> open(const std::filesystem::path& key_file);
    // Makes a new master key file (mode 0600); a file already there (another process made it
    // at the same moment) is left as it is. The file appears whole (written aside, then linked
    // to its name), so a process that starts at the same moment never reads half a key.
    static Result<void> create(const std::filesystem::path& key_file);
    // create() when the file does not exist, then open(). For tests and tools without a database.
    static Result<KeyVault> open_or_create(const std::filesystem::path& key_file);

    // "hmac-sha256:<base64>", the same for the same key, for the database to keep.
    Result<std::string> check_value() const;
    // Whether a stored check value is this key's (compared in constant time).
    bool matches_check_value(std::string_view stored) const;
    // Records that this key is the database's own (its check value matched), so an unseal
    // that fails afterwards is reported as damaged data, not as a possibly wrong key.
    void mark_checked() { m_checked = true; }

    Result<std::string> seal(const Secret& plaintext, std::string_view associated_data) const;
    // Errc::rejected when the value was not sealed under this key for this associated data.
    Result<Secret> unseal(std::string_view sealed, std::string_view associated_data) const;

private:
    explicit KeyVault(Secret key) : m_key(std::move(key)) {}

    Secret m_key;
    bool m_checked = false;
};

}  // namespace casecrypt::crypto
