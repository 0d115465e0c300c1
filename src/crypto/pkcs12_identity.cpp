#include "crypto/pkcs12_identity.h"

#include <openssl/objects.h>

#include "crypto/openssl_error.h"
#include "crypto/ossl_ptr.h"

namespace casecrypt::crypto {
namespace {

Result<std::string> to_der(X509* x509) {
    unsigned char* out = nullptr;
    const int n = i2d_X509(x509, &out);
    if (n <= 0) {
        return std::unexpected(openssl_error(Errc::internal, "cannot encode a certificate"));
    }
    OsslBytesPtr owned(out);
    return std::string(reinterpret_cast<char*>(out), static_cast<std::size_t>(n));
}

Result<Secret> private_key_to_pkcs8(EVP_PKEY* key) {
    std::unique_ptr<PKCS8_PRIV_KEY_INFO, OsslDeleter<PKCS8_PRIV_KEY_INFO_free>> info(
        EVP_PKEY2PKCS8(key));
    if (!info) {
        return std::unexpected(openssl_error(Errc::rejected, "cannot encode the private key"));
    }
    unsigned char* out = nullptr;
    const int n = i2d_PKCS8_PRIV_KEY_INFO(info.get(), &out);
    if (n <= 0) {
        return std::unexpected(openssl_error(Errc::rejected, "cannot encode the private key"));
    }
    Secret secret(std::string(reinterpret_cast<char*>(out), static_cast<std::size_t>(n)));
    OPENSSL_clear_free(out, static_cast<std::size_t>(n));
    return secret;
}

// RFC 9579 PBMAC1 is not understood by OpenSSL 3.0's PKCS12_verify_mac.
bool uses_pbmac1(const PKCS12* p12) {
    const X509_ALGOR* algorithm = nullptr;
    PKCS12_get0_mac(nullptr, &algorithm, nullptr, nullptr, p12);
    if (algorithm == nullptr) {
        return false;
    }
    const ASN1_OBJECT* oid = nullptr;
    X509_ALGOR_get0(&oid, nullptr, nullptr, algorithm);
    return oid != nullptr && OBJ_obj2nid(oid) == NID_pbmac1;
}

// Which of NULL and "" the file was made with, when the password is empty (as PKCS12_parse
// itself tries both). Returns false when the MAC does not verify with the password given.
bool verify_mac(PKCS12* p12, const Secret& password, const char*& effective) {
    const char* text = password.empty() ? "" : password.reveal().data();
    const int length = static_cast<int>(password.size());
    if (PKCS12_verify_mac(p12, text, length) == 1) {
        effective = text;
        return true;
    }
    if (password.empty() && PKCS12_verify_mac(p12, nullptr, 0) == 1) {
        effective = nullptr;
        return true;
    }
    return false;
}

}  // namespace

Result<Pkcs12Identity> open_pkcs12(std::string_view bytes, const Secret& password) {
    const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
    Pkcs12Ptr p12(d2i_PKCS12(nullptr, &p, static_cast<long>(bytes.size())));
    if (!p12) {
        clear_openssl_errors();
        return fail(Errc::rejected,
                    "is not a PKCS #12 file (.p12/.pfx); a server certificate must come with "
                    "its private key in a PKCS #12 file, public certificates are imported with "
                    "`cert import-client`");
    }
    // The password must be NUL-terminated for OpenSSL: Secret holds a std::string, so it is.
    const char* effective = password.empty() ? "" : password.reveal().data();
    if (PKCS12_mac_present(p12.get()) == 1) {
        if (uses_pbmac1(p12.get())) {
            return fail(Errc::rejected,
                        "is protected by a PBMAC1 integrity check (RFC 9579), which this "
                        "system's OpenSSL 3.0 cannot verify; export it again with a classic MAC "
                        "(e.g. `openssl pkcs12 -export -macalg sha256`)");
        }
        if (!verify_mac(p12.get(), password, effective)) {
            clear_openssl_errors();
            return fail(Errc::rejected,
                        password.empty()
                            ? "cannot be opened: the password is wrong (no password was given; "
                              "use --password-file or --password-stdin)"
                            : "cannot be opened: the password is wrong");
        }
    }

    EVP_PKEY* raw_key = nullptr;
    X509* raw_cert = nullptr;
    STACK_OF(X509)* raw_chain = nullptr;
    const int parsed = PKCS12_parse(p12.get(), effective, &raw_key, &raw_cert, &raw_chain);
    EvpPkeyPtr key(raw_key);
    X509Ptr cert(raw_cert);
    X509StackPtr chain(raw_chain);
    if (parsed != 1) {
        return std::unexpected(openssl_error(
            Errc::rejected, PKCS12_mac_present(p12.get()) == 1
                                ? "cannot be decoded: the file is damaged or uses an unsupported "
                                  "algorithm"
                                : "cannot be opened: the password is wrong or the file is "
                                  "damaged (it has no integrity check to tell which)"));
    }
    clear_openssl_errors();
    if (!key) {
        return fail(Errc::rejected,
                    "contains no private key; a server certificate needs the private key to "
                    "decrypt mail (export the PKCS #12 with its key)");
    }
    std::vector<Certificate> others;
    for (int i = 0; chain && i < sk_X509_num(chain.get()); ++i) {
        auto der = to_der(sk_X509_value(chain.get(), i));
        if (!der) {
            return std::unexpected(der.error());
        }
        auto certificate = Certificate::from_der(std::move(*der));
        if (certificate) {
            others.push_back(std::move(*certificate));
        }
    }
    if (!cert) {
        return fail(Errc::rejected,
                    "has a private key that matches no certificate in the file, so it matches "
                    "no certificate carrying an email address");
    }
    auto der = to_der(cert.get());
    if (!der) {
        return std::unexpected(der.error());
    }
    auto certificate = Certificate::from_der(std::move(*der));
    if (!certificate) {
        return std::unexpected(certificate.error());
    }
    if (certificate->addresses().empty()) {
        return fail(Errc::rejected,
                    "has a private key that matches no certificate carrying an email address "
                    "(its certificate \"" + certificate->subject() +
                        "\" has no emailAddress in the subject and no rfc822Name in "
                        "subjectAltName)");
    }
    auto pkcs8 = private_key_to_pkcs8(key.get());
    if (!pkcs8) {
        return std::unexpected(pkcs8.error());
    }
    return Pkcs12Identity{.certificate = std::move(*certificate),
                          .private_key_pkcs8 = std::move(*pkcs8),
                          .chain = std::move(others)};
}

}  // namespace casecrypt::crypto
