// Owning handles for OpenSSL objects (STYLE.md rule 4): every handle is owned on the line that
// acquires it, and no call site frees anything by hand. Only src/crypto includes this.
#pragma once

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/cms.h>
#include <openssl/evp.h>
#include <openssl/pkcs12.h>
#include <openssl/pkcs7.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>

namespace casecrypt::crypto {

template <auto Free>
struct OsslDeleter {
    template <typename T>
    void operator()(T* p) const {
        Free(p);
    }
};

using BioPtr = std::unique_ptr<BIO, OsslDeleter<BIO_free_all>>;
using X509Ptr = std::unique_ptr<X509, OsslDeleter<X509_free>>;
using EvpPkeyPtr = std::unique_ptr<EVP_PKEY, OsslDeleter<EVP_PKEY_free>>;
using Pkcs12Ptr = std::unique_ptr<PKCS12, OsslDeleter<PKCS12_free>>;
using Pkcs7Ptr = std::unique_ptr<PKCS7, OsslDeleter<PKCS7_free>>;
using CmsPtr = std::unique_ptr<CMS_ContentInfo, OsslDeleter<CMS_ContentInfo_free>>;
using BignumPtr = std::unique_ptr<BIGNUM, OsslDeleter<BN_free>>;
using CipherCtxPtr = std::unique_ptr<EVP_CIPHER_CTX, OsslDeleter<EVP_CIPHER_CTX_free>>;
using GeneralNamesPtr = std::unique_ptr<GENERAL_NAMES, OsslDeleter<GENERAL_NAMES_free>>;
using Asn1ObjectPtr = std::unique_ptr<ASN1_OBJECT, OsslDeleter<ASN1_OBJECT_free>>;
using Pbe2ParamPtr = std::unique_ptr<PBE2PARAM, OsslDeleter<PBE2PARAM_free>>;
using Pbkdf2ParamPtr = std::unique_ptr<PBKDF2PARAM, OsslDeleter<PBKDF2PARAM_free>>;
using Pkcs8Ptr = std::unique_ptr<PKCS8_PRIV_KEY_INFO, OsslDeleter<PKCS8_PRIV_KEY_INFO_free>>;

inline void free_x509_stack(STACK_OF(X509) * stack) {
    sk_X509_pop_free(stack, X509_free);
}
using X509StackPtr = std::unique_ptr<STACK_OF(X509), OsslDeleter<free_x509_stack>>;

// A stack that does not own its certificates (e.g. from CMS_get0_signers).
inline void free_x509_stack_view(STACK_OF(X509) * stack) {
    sk_X509_free(stack);
}
using X509StackViewPtr = std::unique_ptr<STACK_OF(X509), OsslDeleter<free_x509_stack_view>>;

inline void free_asn1_sequence(STACK_OF(ASN1_TYPE) * s) {
    sk_ASN1_TYPE_pop_free(s, ASN1_TYPE_free);
}
using Asn1SequencePtr = std::unique_ptr<STACK_OF(ASN1_TYPE), OsslDeleter<free_asn1_sequence>>;
inline void free_pkcs7_stack(STACK_OF(PKCS7) * stack) {
    sk_PKCS7_pop_free(stack, PKCS7_free);
}
using Pkcs7StackPtr = std::unique_ptr<STACK_OF(PKCS7), OsslDeleter<free_pkcs7_stack>>;
inline void free_safebag_stack(STACK_OF(PKCS12_SAFEBAG) * stack) {
    sk_PKCS12_SAFEBAG_pop_free(stack, PKCS12_SAFEBAG_free);
}
using SafebagStackPtr = std::unique_ptr<STACK_OF(PKCS12_SAFEBAG), OsslDeleter<free_safebag_stack>>;

// OPENSSL_free is a macro; wrap it so it can be a deleter.
inline void free_openssl_string(char* p) {
    OPENSSL_free(p);
}
using OsslStringPtr = std::unique_ptr<char, OsslDeleter<free_openssl_string>>;
inline void free_openssl_bytes(unsigned char* p) {
    OPENSSL_free(p);
}
using OsslBytesPtr = std::unique_ptr<unsigned char, OsslDeleter<free_openssl_bytes>>;
// Bytes OpenSSL allocated that held a secret (an encoded private key): zeroed, then freed.
struct OsslClearFree {
    std::size_t size = 0;
    void operator()(unsigned char* p) const { OPENSSL_clear_free(p, size); }
};
using OsslSecretBytesPtr = std::unique_ptr<unsigned char, OsslClearFree>;

// A read-only memory BIO over bytes the caller keeps alive.
inline BioPtr memory_bio(const void* data, std::size_t size) {
    return BioPtr(BIO_new_mem_buf(data, static_cast<int>(size)));
}

}  // namespace casecrypt::crypto
