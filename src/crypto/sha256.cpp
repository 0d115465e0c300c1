#include "crypto/sha256.h"

#include <openssl/evp.h>

#include <stdexcept>

#include "crypto/ossl_ptr.h"

namespace casecrypt::crypto {

using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, OsslDeleter<EVP_MD_CTX_free>>;

struct Sha256::Impl {
    MdCtxPtr ctx{EVP_MD_CTX_new()};
};

Sha256::Sha256() : m_impl(std::make_unique<Impl>()) {
    // Only allocation can fail here, as for any other object.
    if (!m_impl->ctx || EVP_DigestInit_ex(m_impl->ctx.get(), EVP_sha256(), nullptr) != 1) {
        throw std::bad_alloc();
    }
}

Sha256::~Sha256() = default;
Sha256::Sha256(Sha256&&) noexcept = default;
Sha256& Sha256::operator=(Sha256&&) noexcept = default;

Sha256& Sha256::update(std::string_view bytes) {
    EVP_DigestUpdate(m_impl->ctx.get(), bytes.data(), bytes.size());
    return *this;
}

Sha256& Sha256::field(std::string_view bytes) {
    update(std::to_string(bytes.size()) + ":");
    return update(bytes);
}

std::string Sha256::hex() {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int size = 0;
    EVP_DigestFinal_ex(m_impl->ctx.get(), digest, &size);
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out;
    for (unsigned int i = 0; i < size; ++i) {
        out += kDigits[digest[i] >> 4];
        out += kDigits[digest[i] & 15];
    }
    return out;
}

}  // namespace casecrypt::crypto
