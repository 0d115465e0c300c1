// Password hashing for the people who log in (web edge users): Argon2id (RFC 9106) through
// libargon2, in its encoded form "$argon2id$v=19$m=65536,t=3,p=1$salt$hash" so the parameters
// travel with the hash and can be raised later without breaking stored ones. 64 MiB and 3
// passes follow RFC 9106's second recommended option (memory-constrained). Random tokens and
// constant-time comparison live here too, so libargon2 and OpenSSL's RNG stay in src/crypto.
// Thread-safe (no shared state).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "core/error.h"
#include "core/secret.h"

namespace casecrypt::crypto {

struct PasswordHashCost {
    unsigned memory_kib = 64 * 1024;
    unsigned passes = 3;
};

// Errc::internal when libargon2 fails (out of memory).
Result<std::string> hash_password(const Secret& password, PasswordHashCost cost = {});
// False for a wrong password and for an encoded string that is not an Argon2id hash.
bool verify_password(const Secret& password, const std::string& encoded);

// `bytes` random bytes from OpenSSL's CSPRNG as lower-case hex (2 * bytes characters).
Result<std::string> random_hex(std::size_t bytes);
// A password of `length` characters from an alphabet without look-alikes (no 0/O, 1/l/I).
Result<Secret> random_password(std::size_t length);
// Equal contents, in time that depends only on the lengths.
bool constant_time_equal(std::string_view a, std::string_view b);
// Lower-case hex SHA-256 of a secret (a session token kept in the database as its digest).
std::string sha256_hex_of(const Secret& secret);

}  // namespace casecrypt::crypto
