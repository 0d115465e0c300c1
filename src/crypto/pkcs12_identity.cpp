#include "crypto/pkcs12_identity.h"

#include <openssl/objects.h>

#include "crypto/openssl_error.h"
#include "crypto/ossl_ptr.h"
#include "crypto/pkcs12_pbmac1.h"

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
    Pkcs8Ptr info(EVP_PKEY2PKCS8(key));
    if (!info) {
        return std::unexpected(openssl_error(Errc::rejected, "cannot encode the private key"));
    }
    unsigned char* out = nullptr;
    const int n = i2d_PKCS8_PRIV_KEY_INFO(info.get(), &out);
    const OsslSecretBytesPtr encoded(out, OsslClearFree{n > 0 ? static_cast<std::size_t>(n) : 0});
    if (n <= 0) {
        return std::unexpected(openssl_error(Errc::rejected, "cannot encode the private key"));
    }
    return Secret(std::string(reinterpret_cast<char*>(encoded.get()), static_cast<std::size_t>(n)));
}

// RFC 9579 PBMAC1 is not understood by OpenSSL 3.0's PKCS12_verify_mac (crypto/pkcs12_pbmac1.h).
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

// An empty password may have been made as "" or as no password at all (PKCS12_parse also
// tries both). False when the MAC does not verify with the password given.
bool verify_mac(PKCS12* p12, const Secret& password) {
    const char* text = password.empty() ? "" : password.reveal().data();
    return PKCS12_verify_mac(p12, text, static_cast<int>(password.size())) == 1 ||
           (password.empty() && PKCS12_verify_mac(p12, nullptr, 0) == 1);
}

struct Pkcs12Contents {
    std::vector<EvpPkeyPtr> keys;
    std::vector<X509Ptr> certificates;
};

constexpr int kMaxBagDepth = 8;

// Collects keys and certificates bag by bag (RFC 7292 section 4.2); bags of other types
// (CRLs, secrets, unknown ones) are skipped, as the RFC allows, instead of failing the file.
Result<void> read_bags(const STACK_OF(PKCS12_SAFEBAG) * bags, const char* password,
                       int password_length, int depth, Pkcs12Contents& out) {
    if (depth > kMaxBagDepth) {
        return fail(Errc::rejected, "cannot be decoded: its bags nest too deeply");
    }
    for (int i = 0; i < sk_PKCS12_SAFEBAG_num(bags); ++i) {
        const PKCS12_SAFEBAG* bag = sk_PKCS12_SAFEBAG_value(bags, i);
        switch (PKCS12_SAFEBAG_get_nid(bag)) {
            case NID_keyBag: {
                EvpPkeyPtr key(EVP_PKCS82PKEY(PKCS12_SAFEBAG_get0_p8inf(bag)));
                if (key)
                    out.keys.push_back(std::move(key));
                break;
            }
            case NID_pkcs8ShroudedKeyBag: {
                Pkcs8Ptr info(PKCS12_decrypt_skey(bag, password, password_length));
                if (!info) {
                    return fail(Errc::rejected, "cannot decrypt its private key");
                }
                EvpPkeyPtr key(EVP_PKCS82PKEY(info.get()));
                if (key)
                    out.keys.push_back(std::move(key));
                break;
            }
            case NID_certBag:
                if (PKCS12_SAFEBAG_get_bag_nid(bag) == NID_x509Certificate) {
                    X509Ptr cert(PKCS12_SAFEBAG_get1_cert(bag));
                    if (cert)
                        out.certificates.push_back(std::move(cert));
                }
                break;
            case NID_safeContentsBag:
                if (auto nested = read_bags(PKCS12_SAFEBAG_get0_safes(bag), password,
                                            password_length, depth + 1, out);
                    !nested) {
                    return nested;
                }
                break;
            default:
                break;
        }
    }
    clear_openssl_errors();
    return {};
}

Result<Pkcs12Contents> unpack(PKCS12* p12, const Secret& password, bool mac_verified) {
    Pkcs7StackPtr safes(PKCS12_unpack_authsafes(p12));
    if (!safes) {
        clear_openssl_errors();
        return fail(Errc::rejected, "cannot be decoded: the file is damaged");
    }
    // An empty password may have been made as "" or as no password at all: try both.
    std::vector<const char*> candidates = {password.empty() ? "" : password.reveal().data()};
    if (password.empty()) {
        candidates.push_back(nullptr);
    }
    for (const char* candidate : candidates) {
        const int length = candidate == nullptr ? 0 : static_cast<int>(password.size());
        Pkcs12Contents contents;
        bool decrypted = true;
        for (int i = 0; i < sk_PKCS7_num(safes.get()) && decrypted; ++i) {
            PKCS7* safe = sk_PKCS7_value(safes.get(), i);
            SafebagStackPtr bags;
            const int nid = OBJ_obj2nid(safe->type);
            if (nid == NID_pkcs7_data) {
                bags.reset(PKCS12_unpack_p7data(safe));
            } else if (nid == NID_pkcs7_encrypted) {
                bags.reset(PKCS12_unpack_p7encdata(safe, candidate, length));
                decrypted = bags != nullptr;
            } else {
                continue;  // e.g. public-key-encrypted safes: not ours to open
            }
            if (bags && !read_bags(bags.get(), candidate, length, 0, contents)) {
                decrypted = false;
            }
        }
        clear_openssl_errors();
        if (decrypted) {
            return contents;
        }
    }
    return fail(Errc::rejected,
                mac_verified ? "cannot be decoded: the file is damaged or uses an unsupported "
                               "algorithm"
                             : "cannot be opened: the password is wrong or the file is damaged "
                               "(it has no integrity check to tell which)");
}

// Prefers a certificate with an address, then the one that expires last.
bool better_identity(X509* candidate, X509* current) {
    auto has_address = [](X509* x) {
        auto c = Certificate::from_der(to_der(x).value_or(""));
        return c && !c->addresses().empty();
    };
    const bool a = has_address(candidate);
    const bool b = has_address(current);
    if (a != b) {
        return a;
    }
    return ASN1_TIME_compare(X509_get0_notAfter(candidate), X509_get0_notAfter(current)) > 0;
}

}  // namespace

Result<Pkcs12Identity> open_pkcs12(std::string_view bytes, const Secret& password,
                                   bool require_address) {
    const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
    Pkcs12Ptr p12(d2i_PKCS12(nullptr, &p, static_cast<long>(bytes.size())));
    if (!p12) {
        clear_openssl_errors();
        return fail(Errc::rejected,
                    "is not a PKCS #12 file (.p12/.pfx); a server certificate must come with "
                    "its private key in a PKCS #12 file, public certificates are imported with "
                    "`cert import-client`");
    }
    // One rule for every integrity check a file carries, classic (RFC 7292 appendix B) or
    // PBMAC1 (RFC 9579): it must verify with the password before anything is opened. A file
    // without one (the MAC is OPTIONAL in RFC 7292 section 4) is opened, and says so.
    // OpenSSL wants the password NUL-terminated: Secret holds a std::string, so it is.
    const bool has_mac = PKCS12_mac_present(p12.get()) == 1;
    if (has_mac) {
        bool verified = false;
        if (uses_pbmac1(p12.get())) {
            auto pbmac1 = verify_pbmac1(p12.get(), bytes, password);
            if (!pbmac1)
                return std::unexpected(pbmac1.error());
            verified = *pbmac1;
        } else {
            verified = verify_mac(p12.get(), password);
        }
        if (!verified) {
            clear_openssl_errors();
            return fail(Errc::rejected,
                        password.empty()
                            ? "cannot be opened: the password is wrong (no password was given; "
                              "use --password-file or --password-stdin)"
                            : "cannot be opened: the password is wrong");
        }
    }

    auto contents = unpack(p12.get(), password, has_mac);
    if (!contents) {
        return std::unexpected(contents.error());
    }
    if (contents->keys.empty()) {
        return fail(Errc::rejected,
                    "contains no private key; a server certificate needs the private key to "
                    "decrypt mail (export the PKCS #12 with its key)");
    }
    if (contents->keys.size() > 1) {
        return fail(Errc::rejected,
                    "holds " + std::to_string(contents->keys.size()) +
                        " private keys; a server certificate is imported from a file with one "
                        "key and its certificate (export each identity into its own PKCS #12)");
    }
    EvpPkeyPtr key = std::move(contents->keys.front());
    // The identity's certificate is the one the key belongs to; among several (a renewal with
    // the same key) the one carrying an address and expiring last.
    X509Ptr cert;
    X509StackPtr chain(sk_X509_new_null());
    for (auto& candidate : contents->certificates) {
        const bool matches = X509_check_private_key(candidate.get(), key.get()) == 1;
        clear_openssl_errors();
        if (matches && (!cert || better_identity(candidate.get(), cert.get()))) {
            std::swap(cert, candidate);
        }
        if (candidate) {
            sk_X509_push(chain.get(), candidate.release());
        }
    }
    std::vector<Certificate> others;
    for (int i = 0; i < sk_X509_num(chain.get()); ++i) {
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
    if (require_address && certificate->addresses().empty()) {
        return fail(Errc::rejected,
                    "has a private key that matches no certificate carrying an email address "
                    "(its certificate \"" +
                        certificate->subject() +
                        "\" has no emailAddress in the subject and no rfc822Name in "
                        "subjectAltName)");
    }
    auto pkcs8 = private_key_to_pkcs8(key.get());
    if (!pkcs8) {
        return std::unexpected(pkcs8.error());
    }
    return Pkcs12Identity{.certificate = std::move(*certificate),
                          .private_key_pkcs8 = std::move(*pkcs8),
                          .chain = std::move(others),
                          .integrity_checked = has_mac};
}

}  // namespace casecrypt::crypto
