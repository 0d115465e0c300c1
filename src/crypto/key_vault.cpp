#include "crypto/key_vault.h"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/base64.h"
#include "core/file_io.h"
#include "core/log.h"
#include "core/unique_fd.h"
#include "crypto/openssl_error.h"
#include "crypto/ossl_ptr.h"

namespace casecrypt::crypto {
namespace {

constexpr std::size_t kKeySize = 32;
constexpr std::size_t kNonceSize = 12;
constexpr std::size_t kTagSize = 16;
constexpr unsigned char kVersion = 0x01;
constexpr std::string_view kCheckPrefix = "hmac-sha256:";
constexpr std::string_view kCheckKeyLabel = "casecrypt master key check value key v1";
constexpr std::string_view kCheckConstant = "casecrypt master key check value";

// HMAC-SHA256(key, data) into out (32 bytes); false when OpenSSL fails.
bool hmac_sha256(const unsigned char* key, std::size_t key_size, std::string_view data,
                 unsigned char* out) {
    unsigned int size = 0;
    return HMAC(EVP_sha256(), key, static_cast<int>(key_size),
                reinterpret_cast<const unsigned char*>(data.data()), data.size(), out,
                &size) != nullptr &&
           size == 32;
}

Result<void> create_key_file(const std::filesystem::path& path) {
    unsigned char key[kKeySize];
    if (RAND_bytes(key, sizeof key) != 1) {
        return std::unexpected(openssl_error(Errc::internal, "cannot make a master key"));
    }
    Secret text(base64_encode(std::string_view(reinterpret_cast<char*>(key), sizeof key)) + "\n");
    secure_zero(key, sizeof key);
    // Written whole into a temporary file (mode 0600) and then linked to its name: link(2)
    // fails when the name exists, so of two processes or threads starting at once exactly one
    // key wins, and the other never reads a key file that is still being written.
    std::string temp = path.string() + ".new-XXXXXX";
    UniqueFd fd(::mkostemp(temp.data(), O_CLOEXEC));
    if (!fd) {
        return fail(Errc::io,
                    "cannot create the master key " + path.string() + ": " + std::strerror(errno));
    }
    const bool ok =
        ::write(fd.get(), text.reveal().data(), text.size()) == static_cast<ssize_t>(text.size()) &&
        ::fsync(fd.get()) == 0 && fd.close();
    const int linked = ok ? ::link(temp.c_str(), path.c_str()) : -1;
    const int link_errno = errno;
    ::unlink(temp.c_str());
    if (!ok) {
        return fail(Errc::io, "cannot write the master key " + path.string());
    }
    if (linked != 0) {
        if (link_errno == EEXIST) {
            return {};  // another process made it first: that key is the one
        }
        return fail(Errc::io, "cannot create the master key " + path.string() + ": " +
                                  std::strerror(link_errno));
    }
    spdlog::info("created master key {}", path.string());
    return {};
}

}  // namespace

Result<void> KeyVault::create(const std::filesystem::path& key_file) {
    return create_key_file(key_file);
}

Result<KeyVault> KeyVault::open_or_create(const std::filesystem::path& key_file) {
    std::error_code ec;
    if (!std::filesystem::exists(key_file, ec)) {
        if (auto created = create_key_file(key_file); !created) {
            return std::unexpected(created.error());
        }
    }
    return open(key_file);
}

Result<KeyVault> KeyVault::open(const std::filesystem::path& key_file) {
    struct stat st {};
    if (::stat(key_file.c_str(), &st) == 0 && (st.st_mode & 077) != 0) {
        spdlog::warn("master key {} is readable by group or others; chmod 600 it",
                     key_file.string());
    }
    auto text = read_file(key_file, 4096);
    if (!text) {
        return std::unexpected(text.error());
    }
    Secret content(std::move(*text));
    std::string_view line = content.reveal();
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r' || line.back() == ' ')) {
        line.remove_suffix(1);
    }
    auto key = base64_decode(line);
    if (!key || key->size() != kKeySize) {
        return fail(Errc::io, "the master key " + key_file.string() +
                                  " is damaged (expected 32 bytes in base64)");
    }
    return KeyVault(Secret(std::move(*key)));
}

Result<std::string> KeyVault::check_value() const {
    std::string label(kCheckKeyLabel);
    label.push_back('\x01');
    unsigned char check_key[32];
    unsigned char mac[32];
    const bool ok = hmac_sha256(m_key.bytes(), m_key.size(), label, check_key) &&
                    hmac_sha256(check_key, sizeof check_key, kCheckConstant, mac);
    secure_zero(check_key, sizeof check_key);
    if (!ok) {
        return std::unexpected(openssl_error(Errc::internal, "cannot compute the key check value"));
    }
    return std::string(kCheckPrefix) +
           base64_encode(std::string_view(reinterpret_cast<char*>(mac), sizeof mac));
}

bool KeyVault::matches_check_value(std::string_view stored) const {
    auto mine = check_value();
    return mine && mine->size() == stored.size() &&
           CRYPTO_memcmp(mine->data(), stored.data(), stored.size()) == 0;
}

Result<std::string> KeyVault::seal(const Secret& plaintext,
                                   std::string_view associated_data) const {
    std::string out(1 + kNonceSize + plaintext.size() + kTagSize, '\0');
    auto* bytes = reinterpret_cast<unsigned char*>(out.data());
    bytes[0] = kVersion;
    unsigned char* nonce = bytes + 1;
    unsigned char* ciphertext = nonce + kNonceSize;
    if (RAND_bytes(nonce, kNonceSize) != 1) {
        return std::unexpected(openssl_error(Errc::internal, "cannot make a nonce"));
    }
    CipherCtxPtr ctx(EVP_CIPHER_CTX_new());
    int n = 0;
    int final_n = 0;
    if (!ctx ||
        EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, m_key.bytes(), nonce) != 1 ||
        EVP_EncryptUpdate(ctx.get(), nullptr, &n,
                          reinterpret_cast<const unsigned char*>(associated_data.data()),
                          static_cast<int>(associated_data.size())) != 1 ||
        EVP_EncryptUpdate(ctx.get(), ciphertext, &n, plaintext.bytes(),
                          static_cast<int>(plaintext.size())) != 1 ||
        EVP_EncryptFinal_ex(ctx.get(), ciphertext + n, &final_n) != 1 ||
        EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTagSize,
                            ciphertext + plaintext.size()) != 1) {
        return std::unexpected(openssl_error(Errc::internal, "cannot seal a secret"));
    }
    return out;
}

Result<Secret> KeyVault::unseal(std::string_view sealed, std::string_view associated_data) const {
    if (sealed.size() < 1 + kNonceSize + kTagSize ||
        static_cast<unsigned char>(sealed[0]) != kVersion) {
        return fail(Errc::rejected, "a sealed secret is damaged or of an unknown version");
    }
    const auto* bytes = reinterpret_cast<const unsigned char*>(sealed.data());
    const unsigned char* nonce = bytes + 1;
    const unsigned char* ciphertext = nonce + kNonceSize;
    const std::size_t size = sealed.size() - 1 - kNonceSize - kTagSize;
    std::string plain(size, '\0');
    CipherCtxPtr ctx(EVP_CIPHER_CTX_new());
    int n = 0;
    int final_n = 0;
    std::string tag(reinterpret_cast<const char*>(ciphertext + size), kTagSize);
    const bool ok =
        ctx &&
        EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, m_key.bytes(), nonce) == 1 &&
        EVP_DecryptUpdate(ctx.get(), nullptr, &n,
                          reinterpret_cast<const unsigned char*>(associated_data.data()),
                          static_cast<int>(associated_data.size())) == 1 &&
        EVP_DecryptUpdate(ctx.get(), reinterpret_cast<unsigned char*>(plain.data()), &n, ciphertext,
                          static_cast<int>(size)) == 1 &&
        EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTagSize, tag.data()) == 1 &&
        EVP_DecryptFinal_ex(ctx.get(), reinterpret_cast<unsigned char*>(plain.data()) + n,
                            &final_n) == 1;
    clear_openssl_errors();
    Secret result(std::move(plain));
    if (!ok) {
        return fail(Errc::rejected,
                    m_checked ? "a sealed secret is damaged (it does not open, although the "
                                "master key is this database's own: its check value matches)"
                              : "a sealed secret does not open with this master key (wrong "
                                "master key or tampered data)");
    }
    return result;
}

}  // namespace casecrypt::crypto
