#include "crypto/pkcs12_pbmac1.h"

#include <openssl/asn1t.h>
#include <openssl/crypto.h>
#include <openssl/hmac.h>
#include <openssl/objects.h>

#include <vector>

#include "crypto/openssl_error.h"
#include "crypto/ossl_ptr.h"

namespace casecrypt::crypto {
namespace {

// Far above what any exporter uses (OpenSSL: 2048, NSS: 10,000 to 600,000), far below a
// denial of service.
constexpr long kMaxIterations = 10'000'000;
// A key shorter than 160 bits is refused, as OpenSSL 3.5 does (its test file
// pbmac1_256_256.bad-key-len.p12 has a MAC made with a 19-octet key, which verifies).
constexpr long kMinKeyLength = 20;
constexpr long kMaxKeyLength = 64;  // HMAC-SHA-512's output

Error malformed(const std::string& what) {
    clear_openssl_errors();
    return Error(Errc::rejected, "has a malformed PBMAC1 integrity check (RFC 9579): " + what);
}

// The DER of a SEQUENCE parameter of an AlgorithmIdentifier; nullptr when it is not one.
const ASN1_STRING* sequence_parameter(const X509_ALGOR* algorithm) {
    int type = 0;
    const void* value = nullptr;
    X509_ALGOR_get0(nullptr, &type, &value, algorithm);
    return type == V_ASN1_SEQUENCE ? static_cast<const ASN1_STRING*>(value) : nullptr;
}

int algorithm_nid(const X509_ALGOR* algorithm) {
    const ASN1_OBJECT* oid = nullptr;
    X509_ALGOR_get0(&oid, nullptr, nullptr, algorithm);
    return oid == nullptr ? NID_undef : OBJ_obj2nid(oid);
}

// hmacWithSHA1 ... hmacWithSHA512 -> its digest; nullptr for anything else.
const EVP_MD* hmac_digest(int nid) {
    switch (nid) {
        case NID_hmacWithSHA1:
            return EVP_sha1();
        case NID_hmacWithSHA224:
            return EVP_sha224();
        case NID_hmacWithSHA256:
            return EVP_sha256();
        case NID_hmacWithSHA384:
            return EVP_sha384();
        case NID_hmacWithSHA512:
            return EVP_sha512();
        default:
            return nullptr;
    }
}

// The content octets of the authSafe (a ContentInfo of type data): what the MAC covers.
Result<std::string> auth_safe_content(std::string_view pfx_der) {
    const auto* p = reinterpret_cast<const unsigned char*>(pfx_der.data());
    Asn1SequencePtr pfx(d2i_ASN1_SEQUENCE_ANY(nullptr, &p, static_cast<long>(pfx_der.size())));
    if (!pfx || sk_ASN1_TYPE_num(pfx.get()) < 2)
        return std::unexpected(malformed("no authSafe"));
    const ASN1_TYPE* auth_safe = sk_ASN1_TYPE_value(pfx.get(), 1);
    if (auth_safe->type != V_ASN1_SEQUENCE)
        return std::unexpected(malformed("no authSafe"));
    const unsigned char* q = auth_safe->value.sequence->data;
    Pkcs7Ptr content(d2i_PKCS7(nullptr, &q, auth_safe->value.sequence->length));
    if (!content || !PKCS7_type_is_data(content.get()) || content->d.data == nullptr) {
        return std::unexpected(malformed("the authSafe is not of type data"));
    }
    return std::string(reinterpret_cast<const char*>(content->d.data->data),
                       static_cast<std::size_t>(content->d.data->length));
}

}  // namespace

Result<bool> verify_pbmac1(const PKCS12* p12, std::string_view pfx_der, const Secret& password) {
    const ASN1_OCTET_STRING* mac = nullptr;
    const X509_ALGOR* algorithm = nullptr;
    PKCS12_get0_mac(&mac, &algorithm, nullptr, nullptr, p12);
    const ASN1_STRING* outer = algorithm == nullptr ? nullptr : sequence_parameter(algorithm);
    if (mac == nullptr || outer == nullptr)
        return std::unexpected(malformed("no parameters"));

    // PBMAC1-params ::= SEQUENCE { keyDerivationFunc, messageAuthScheme }: the shape of PBES2's.
    const unsigned char* p = outer->data;
    Pbe2ParamPtr params(d2i_PBE2PARAM(nullptr, &p, outer->length));
    if (!params)
        return std::unexpected(malformed("cannot decode its parameters"));
    const EVP_MD* mac_digest = hmac_digest(algorithm_nid(params->encryption));
    if (mac_digest == nullptr)
        return std::unexpected(malformed("an unknown MAC algorithm"));
    if (algorithm_nid(params->keyfunc) != NID_id_pbkdf2) {
        return std::unexpected(malformed("a key derivation other than PBKDF2"));
    }
    const ASN1_STRING* kdf = sequence_parameter(params->keyfunc);
    if (kdf == nullptr)
        return std::unexpected(malformed("no PBKDF2 parameters"));
    p = kdf->data;
    Pbkdf2ParamPtr pbkdf2(d2i_PBKDF2PARAM(nullptr, &p, kdf->length));
    if (!pbkdf2)
        return std::unexpected(malformed("cannot decode its PBKDF2 parameters"));
    if (pbkdf2->salt == nullptr || pbkdf2->salt->type != V_ASN1_OCTET_STRING ||
        pbkdf2->salt->value.octet_string->length <= 0) {
        return std::unexpected(malformed("no salt"));
    }
    const long iterations = ASN1_INTEGER_get(pbkdf2->iter);
    if (iterations < 1 || iterations > kMaxIterations) {
        return std::unexpected(malformed("an iteration count out of range"));
    }
    // RFC 9579 section 5: keyLength MUST be present.
    const long key_length = pbkdf2->keylength == nullptr ? -1 : ASN1_INTEGER_get(pbkdf2->keylength);
    if (key_length < kMinKeyLength || key_length > kMaxKeyLength) {
        return std::unexpected(malformed("no key length, or one outside 20..64 octets"));
    }
    const EVP_MD* prf =
        pbkdf2->prf == nullptr ? EVP_sha1() : hmac_digest(algorithm_nid(pbkdf2->prf));
    if (prf == nullptr)
        return std::unexpected(malformed("an unknown PBKDF2 PRF"));

    auto content = auth_safe_content(pfx_der);
    if (!content)
        return std::unexpected(content.error());
    const ASN1_OCTET_STRING* salt = pbkdf2->salt->value.octet_string;
    std::vector<unsigned char> key(static_cast<std::size_t>(key_length));
    const std::string_view secret = password.empty() ? std::string_view() : password.reveal();
    if (PKCS5_PBKDF2_HMAC(secret.data(), static_cast<int>(secret.size()), salt->data, salt->length,
                          static_cast<int>(iterations), prf, static_cast<int>(key_length),
                          key.data()) != 1) {
        OPENSSL_cleanse(key.data(), key.size());
        return std::unexpected(openssl_error(Errc::internal, "cannot derive the PBMAC1 key"));
    }
    unsigned char computed[EVP_MAX_MD_SIZE];
    unsigned int computed_length = 0;
    const bool made = HMAC(mac_digest, key.data(), static_cast<int>(key.size()),
                           reinterpret_cast<const unsigned char*>(content->data()), content->size(),
                           computed, &computed_length) != nullptr;
    OPENSSL_cleanse(key.data(), key.size());
    if (!made)
        return std::unexpected(openssl_error(Errc::internal, "cannot compute the PBMAC1"));
    return static_cast<int>(computed_length) == mac->length &&
           CRYPTO_memcmp(computed, mac->data, computed_length) == 0;
}

}  // namespace casecrypt::crypto
