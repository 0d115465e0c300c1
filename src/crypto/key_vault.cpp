#include "crypto/key_vault.h"

#include <fcntl.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/base64.h"
#include "core/file_io.h"
#include "core/log.h"
#include "crypto/openssl_error.h"
#include "crypto/ossl_ptr.h"

namespace casecrypt::crypto {
namespace {

constexpr std::size_t kKeySize = 32;
constexpr std::size_t kNonceSize = 12;
constexpr std::size_t kTagSize = 16;
constexpr unsigned char kVersion = 0x01;

Result<void> create_key_file(const std::filesystem::path& path) {
    unsigned char key[kKeySize];
    if (RAND_bytes(key, sizeof key) != 1) {
        return std::unexpected(openssl_error(Errc::internal, "cannot make a master key"));
    }
    Secret text(base64_encode(std::string_view(reinterpret_cast<char*>(key), sizeof key)) + "\n");
    secure_zero(key, sizeof key);
    // O_EXCL: two processes starting at once must not each write a different key.
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        if (errno == EEXIST) {
            return {};
        }
        return fail(Errc::io, "cannot create the master key " + path.string() + ": " +
                                  std::strerror(errno));
    }
    const bool ok = ::write(fd, text.reveal().data(), text.size()) ==
                        static_cast<ssize_t>(text.size()) &&
                    ::fsync(fd) == 0;
    ::close(fd);
    if (!ok) {
        ::unlink(path.c_str());
        return fail(Errc::io, "cannot write the master key " + path.string());
    }
    spdlog::info("created master key {}", path.string());
    return {};
}

}  // namespace

Result<KeyVault> KeyVault::open_or_create(const std::filesystem::path& key_file) {
    std::error_code ec;
    if (!std::filesystem::exists(key_file, ec)) {
        if (auto created = create_key_file(key_file); !created) {
            return std::unexpected(created.error());
        }
    }
    struct stat st{};
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
        return fail(Errc::rejected, "the master key " + key_file.string() +
                                        " is damaged (expected 32 bytes in base64)");
    }
    return KeyVault(Secret(std::move(*key)));
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
        ctx && EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, m_key.bytes(), nonce) == 1 &&
        EVP_DecryptUpdate(ctx.get(), nullptr, &n,
                          reinterpret_cast<const unsigned char*>(associated_data.data()),
                          static_cast<int>(associated_data.size())) == 1 &&
        EVP_DecryptUpdate(ctx.get(), reinterpret_cast<unsigned char*>(plain.data()), &n,
                          ciphertext, static_cast<int>(size)) == 1 &&
        EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTagSize, tag.data()) == 1 &&
        EVP_DecryptFinal_ex(ctx.get(), reinterpret_cast<unsigned char*>(plain.data()) + n,
                            &final_n) == 1;
    clear_openssl_errors();
    Secret result(std::move(plain));
    if (!ok) {
        return fail(Errc::rejected,
                    "a sealed secret does not open with this master key (wrong master key or "
                    "tampered data)");
    }
    return result;
}

}  // namespace casecrypt::crypto
