#include "crypto/password_hash.h"

#include <argon2.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <string_view>
#include <vector>

#include "crypto/openssl_error.h"
#include "crypto/sha256.h"

namespace casecrypt::crypto {
namespace {

constexpr std::size_t kSaltBytes = 16;
constexpr std::size_t kHashBytes = 32;

Result<std::string> random_bytes(std::size_t bytes) {
    std::string out(bytes, '\0');
    if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(bytes)) != 1)
        return std::unexpected(openssl_error(Errc::internal, "drawing random bytes"));
    return out;
}

}  // namespace

Result<std::string> hash_password(const Secret& password, PasswordHashCost cost) {
    auto salt = random_bytes(kSaltBytes);
    if (!salt)
        return std::unexpected(salt.error());
    const std::size_t length =
        argon2_encodedlen(cost.passes, cost.memory_kib, 1, kSaltBytes, kHashBytes, Argon2_id);
    std::vector<char> encoded(length);
    const int rc = argon2id_hash_encoded(cost.passes, cost.memory_kib, 1, password.reveal().data(),
                                         password.size(), salt->data(), salt->size(), kHashBytes,
                                         encoded.data(), encoded.size());
    if (rc != ARGON2_OK)
        return fail(Errc::internal, std::string("hashing a password: ") + argon2_error_message(rc));
    return std::string(encoded.data());
}

bool verify_password(const Secret& password, const std::string& encoded) {
    if (!encoded.starts_with("$argon2id$"))
        return false;
    return argon2id_verify(encoded.c_str(), password.reveal().data(), password.size()) == ARGON2_OK;
}

Result<std::string> random_hex(std::size_t bytes) {
    auto raw = random_bytes(bytes);
    if (!raw)
        return std::unexpected(raw.error());
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string hex;
    hex.reserve(bytes * 2);
    for (unsigned char c : *raw) {
        hex.push_back(kDigits[c >> 4]);
        hex.push_back(kDigits[c & 0x0f]);
    }
    secure_zero(raw->data(), raw->size());
    return hex;
}

Result<Secret> random_password(std::size_t length) {
    static constexpr std::string_view kAlphabet =
        "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";  // 57 characters
    std::string password;
    while (password.size() < length) {
        auto raw = random_bytes(32);
        if (!raw)
            return std::unexpected(raw.error());
        for (unsigned char c : *raw) {
            // Rejection sampling: 228 = 4 * 57, so every character is equally likely.
            if (c < 228 && password.size() < length)
                password.push_back(kAlphabet[c % kAlphabet.size()]);
        }
        secure_zero(raw->data(), raw->size());
    }
    return Secret(std::move(password));
}

bool constant_time_equal(std::string_view a, std::string_view b) {
    return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string sha256_hex_of(const Secret& secret) {
    return Sha256().update(secret.reveal()).hex();
}

}  // namespace casecrypt::crypto
