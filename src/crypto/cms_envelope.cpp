#include "crypto/cms_envelope.h"

#include <openssl/rsa.h>

#include <fstream>

#include "crypto/cms_detach.h"
#include "crypto/cms_inspect.h"
#include "crypto/openssl_error.h"
#include "crypto/ossl_ptr.h"

namespace casecrypt::crypto {
namespace {

constexpr std::size_t kOutlinePrefix = 1024 * 1024;

X509Ptr to_x509(const Certificate& certificate) {
    const auto* p = reinterpret_cast<const unsigned char*>(certificate.der().data());
    return X509Ptr(d2i_X509(nullptr, &p, static_cast<long>(certificate.der().size())));
}

const EVP_CIPHER* evp_cipher(ContentCipher cipher) {
    switch (cipher) {
        case ContentCipher::aes256_cbc:
            return EVP_aes_256_cbc();
        case ContentCipher::aes128_cbc:
            return EVP_aes_128_cbc();
        case ContentCipher::aes256_gcm:
            return EVP_aes_256_gcm();
    }
    return EVP_aes_256_cbc();
}

std::string hex(const ASN1_INTEGER* serial) {
    BignumPtr bn(ASN1_INTEGER_to_BN(serial, nullptr));
    if (!bn)
        return "?";
    OsslStringPtr text(BN_bn2hex(bn.get()));
    return text ? text.get() : "?";
}

std::string name_text(const X509_NAME* name) {
    BioPtr bio(BIO_new(BIO_s_mem()));
    X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253);
    char* data = nullptr;
    const long n = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<std::size_t>(n));
}

// "issuer CN=..., serial 1A2B" or "subject key identifier ab12..." for each RecipientInfo.
std::vector<std::string> describe_recipients(CMS_ContentInfo* cms) {
    std::vector<std::string> out;
    STACK_OF(CMS_RecipientInfo)* infos = CMS_get0_RecipientInfos(cms);
    for (int i = 0; infos != nullptr && i < sk_CMS_RecipientInfo_num(infos); ++i) {
        CMS_RecipientInfo* ri = sk_CMS_RecipientInfo_value(infos, i);
        auto describe_id = [&](ASN1_OCTET_STRING* keyid, X509_NAME* issuer, ASN1_INTEGER* serial) {
            if (issuer != nullptr && serial != nullptr) {
                out.push_back("issuer \"" + name_text(issuer) + "\" serial " + hex(serial));
            } else if (keyid != nullptr) {
                static constexpr char kDigits[] = "0123456789abcdef";
                std::string text;
                for (int j = 0; j < ASN1_STRING_length(keyid); ++j) {
                    const unsigned char b = ASN1_STRING_get0_data(keyid)[j];
                    text += kDigits[b >> 4];
                    text += kDigits[b & 15];
                }
                out.push_back("subject key identifier " + text);
            }
        };
        if (CMS_RecipientInfo_type(ri) == CMS_RECIPINFO_TRANS) {
            ASN1_OCTET_STRING* keyid = nullptr;
            X509_NAME* issuer = nullptr;
            ASN1_INTEGER* serial = nullptr;
            if (CMS_RecipientInfo_ktri_get0_signer_id(ri, &keyid, &issuer, &serial) == 1) {
                describe_id(keyid, issuer, serial);
            }
        } else if (CMS_RecipientInfo_type(ri) == CMS_RECIPINFO_AGREE) {
            STACK_OF(CMS_RecipientEncryptedKey)* reks = CMS_RecipientInfo_kari_get0_reks(ri);
            for (int j = 0; reks != nullptr && j < sk_CMS_RecipientEncryptedKey_num(reks); ++j) {
                ASN1_OCTET_STRING* keyid = nullptr;
                X509_NAME* issuer = nullptr;
                ASN1_INTEGER* serial = nullptr;
                if (CMS_RecipientEncryptedKey_get0_id(sk_CMS_RecipientEncryptedKey_value(reks, j),
                                                      &keyid, nullptr, nullptr, &issuer,
                                                      &serial) == 1) {
                    describe_id(keyid, issuer, serial);
                }
            }
        } else {
            out.push_back("a password or key-encryption-key recipient (not supported)");
        }
    }
    clear_openssl_errors();
    return out;
}

// Whether any RecipientInfo names this certificate.
bool names_certificate(CMS_ContentInfo* cms, X509* cert) {
    STACK_OF(CMS_RecipientInfo)* infos = CMS_get0_RecipientInfos(cms);
    for (int i = 0; infos != nullptr && i < sk_CMS_RecipientInfo_num(infos); ++i) {
        CMS_RecipientInfo* ri = sk_CMS_RecipientInfo_value(infos, i);
        if (CMS_RecipientInfo_type(ri) == CMS_RECIPINFO_TRANS &&
            CMS_RecipientInfo_ktri_cert_cmp(ri, cert) == 0) {
            return true;
        }
        if (CMS_RecipientInfo_type(ri) == CMS_RECIPINFO_AGREE) {
            STACK_OF(CMS_RecipientEncryptedKey)* reks = CMS_RecipientInfo_kari_get0_reks(ri);
            for (int j = 0; reks != nullptr && j < sk_CMS_RecipientEncryptedKey_num(reks); ++j) {
                if (CMS_RecipientEncryptedKey_cert_cmp(sk_CMS_RecipientEncryptedKey_value(reks, j),
                                                       cert) == 0) {
                    return true;
                }
            }
        }
    }
    clear_openssl_errors();
    return false;
}

Result<CmsPtr> read_envelope(const std::filesystem::path& der) {
    BioPtr in(BIO_new_file(der.c_str(), "rb"));
    if (!in) {
        return std::unexpected(openssl_error(Errc::io, "cannot read " + der.string()));
    }
    CmsPtr cms(d2i_CMS_bio(in.get(), nullptr));
    if (!cms) {
        clear_openssl_errors();
        return fail(Errc::rejected, "the S/MIME data is damaged or truncated");
    }
    return cms;
}

}  // namespace

Result<ContentCipher> parse_content_cipher(const std::string& name) {
    if (name == "aes-256-cbc")
        return ContentCipher::aes256_cbc;
    if (name == "aes-128-cbc")
        return ContentCipher::aes128_cbc;
    if (name == "aes-256-gcm")
        return ContentCipher::aes256_gcm;
    return fail(Errc::usage,
                "unknown cipher \"" + name + "\" (use aes-256-cbc, aes-128-cbc or aes-256-gcm)");
}

Result<KeyTransport> parse_key_transport(const std::string& name) {
    if (name == "rsa-pkcs1")
        return KeyTransport::rsa_pkcs1;
    if (name == "rsa-oaep")
        return KeyTransport::rsa_oaep;
    return fail(Errc::usage, "unknown key transport \"" + name + "\" (use rsa-pkcs1 or rsa-oaep)");
}

Result<void> encrypt_file(const std::filesystem::path& entity,
                          const std::vector<Certificate>& recipients, const EncryptOptions& options,
                          const std::filesystem::path& out) {
    if (recipients.empty()) {
        return fail(Errc::usage, "no recipient certificate given");
    }
    const unsigned int flags = CMS_STREAM | CMS_PARTIAL | CMS_BINARY;
    // An empty recipient stack with CMS_PARTIAL: recipients are added one by one below, so
    // each can carry its own key-transport parameters (RSA-OAEP).
    X509StackPtr none(sk_X509_new_null());
    CmsPtr cms(CMS_encrypt(none.get(), nullptr, evp_cipher(options.cipher), flags));
    if (!cms) {
        return std::unexpected(openssl_error(Errc::internal, "cannot start the CMS envelope"));
    }
    for (const Certificate& certificate : recipients) {
        X509Ptr x509 = to_x509(certificate);
        if (!x509) {
            return std::unexpected(
                openssl_error(Errc::rejected, "a recipient certificate is damaged"));
        }
        const bool oaep = options.key_transport == KeyTransport::rsa_oaep &&
                          certificate.facts().key_kind == KeyKind::rsa;
        CMS_RecipientInfo* ri =
            CMS_add1_recipient_cert(cms.get(), x509.get(), oaep ? CMS_KEY_PARAM : 0);
        if (ri == nullptr) {
            return std::unexpected(openssl_error(
                Errc::rejected, "cannot encrypt to certificate " + certificate.display_name()));
        }
        if (oaep) {
            // RFC 8017 RSAES-OAEP with SHA-256 and MGF1-SHA-256 (RFC 4055 parameters).
            EVP_PKEY_CTX* ctx = CMS_RecipientInfo_get0_pkey_ctx(ri);
            if (ctx == nullptr || EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_OAEP_PADDING) <= 0 ||
                EVP_PKEY_CTX_set_rsa_oaep_md(ctx, EVP_sha256()) <= 0 ||
                EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, EVP_sha256()) <= 0) {
                return std::unexpected(openssl_error(Errc::internal, "cannot set up RSA-OAEP"));
            }
        }
    }
    BioPtr in(BIO_new_file(entity.c_str(), "rb"));
    if (!in) {
        return std::unexpected(openssl_error(Errc::io, "cannot read " + entity.string()));
    }
    BioPtr file(BIO_new_file(out.c_str(), "ab"));
    if (!file) {
        return std::unexpected(openssl_error(Errc::io, "cannot write " + out.string()));
    }
    // base64 filter on top of the file: BIO_free_all of the chain frees both.
    BIO* b64 = BIO_new(BIO_f_base64());
    if (b64 == nullptr) {
        return std::unexpected(openssl_error(Errc::internal, "cannot make a base64 filter"));
    }
    BioPtr chain(BIO_push(b64, file.release()));
    if (i2d_CMS_bio_stream(chain.get(), cms.get(), in.get(), static_cast<int>(flags)) != 1 ||
        BIO_flush(chain.get()) != 1) {
        return std::unexpected(openssl_error(Errc::io, "cannot encrypt " + entity.string()));
    }
    return {};
}

Result<DecryptResult> decrypt_file(const std::filesystem::path& der,
                                   const std::vector<DecryptionIdentity>& identities,
                                   const std::filesystem::path& out) {
    std::string prefix(kOutlinePrefix, '\0');
    {
        std::ifstream in(der, std::ios::binary);
        in.read(prefix.data(), static_cast<std::streamsize>(prefix.size()));
        prefix.resize(static_cast<std::size_t>(in.gcount()));
    }
    auto outline = inspect_cms(prefix);
    if (!outline) {
        return std::unexpected(outline.error());
    }
    if (outline->kind != CmsKind::enveloped && outline->kind != CmsKind::auth_enveloped) {
        return fail(Errc::rejected, "the S/MIME part is not encrypted (not enveloped-data)");
    }
    // The envelope is parsed without its content, which streams from its own file.
    const std::filesystem::path envelope = der.string() + ".envelope";
    const std::filesystem::path content = der.string() + ".content";
    struct Cleanup {
        std::filesystem::path a, b;
        ~Cleanup() {
            std::error_code ec;
            std::filesystem::remove(a, ec);
            std::filesystem::remove(b, ec);
        }
    } cleanup{envelope, content};
    if (auto detached = detach_encrypted_content(der, envelope, content); !detached) {
        return std::unexpected(detached.error());
    }
    auto cms = read_envelope(envelope);
    if (!cms) {
        return std::unexpected(cms.error());
    }
    bool matched = false;
    for (const DecryptionIdentity& identity : identities) {
        X509Ptr cert = to_x509(identity.certificate);
        if (!cert || !names_certificate(cms->get(), cert.get())) {
            continue;
        }
        matched = true;
        auto key_der = identity.private_key();
        if (!key_der) {
            return std::unexpected(key_der.error());
        }
        const auto* p = key_der->bytes();
        EvpPkeyPtr key(d2i_AutoPrivateKey(nullptr, &p, static_cast<long>(key_der->size())));
        key_der->wipe();
        if (!key) {
            return std::unexpected(
                openssl_error(Errc::internal, "a stored private key is damaged"));
        }
        // A fresh envelope for every attempt: a failed one may leave a content key behind.
        auto attempt = read_envelope(envelope);
        if (!attempt) {
            return std::unexpected(attempt.error());
        }
        BioPtr source(BIO_new_file(content.c_str(), "rb"));
        BioPtr sink(BIO_new_file(out.c_str(), "wb"));
        if (!source || !sink) {
            return std::unexpected(openssl_error(Errc::io, "cannot write " + out.string()));
        }
        // CMS_DEBUG_DECRYPT: a key transport that fails is a failure. Without it OpenSSL hides
        // the failure (its defence against Bleichenbacher's attack) and decrypts with a random
        // content key, whose CBC padding is valid about one time in 256: a damaged mail then
        // "decrypted" into garbage, filed as a ticket's text, at random. The defence is not
        // needed here: every failure reads the same, and nothing goes back to the sender.
        const bool ok = CMS_decrypt(attempt->get(), key.get(), cert.get(), source.get(), sink.get(),
                                    CMS_BINARY | CMS_DEBUG_DECRYPT) == 1 &&
                        BIO_flush(sink.get()) == 1;
        clear_openssl_errors();
        sink.reset();
        if (ok) {
            return DecryptResult{.auth_enveloped = outline->kind == CmsKind::auth_enveloped,
                                 .content_cipher = outline->content_cipher,
                                 .certificate_sha256 = identity.certificate.fingerprint_sha256()};
        }
        // Never leave unauthenticated plaintext behind (emptied first: `out` may be a file
        // without a name, which cannot be removed but can be emptied).
        std::error_code ec;
        std::filesystem::resize_file(out, 0, ec);
        std::filesystem::remove(out, ec);
    }
    if (matched) {
        // One sentence for every inner failure (wrong key, bad padding, bad tag, bad content),
        // so that no caller can tell them apart.
        return fail(Errc::rejected,
                    "the S/MIME data cannot be decrypted: it is damaged or was not encrypted "
                    "with the matching key");
    }
    std::string recipients;
    for (const auto& r : describe_recipients(cms->get())) {
        recipients += (recipients.empty() ? "" : "; ") + r;
    }
    return fail(Errc::rejected,
                "no key for any recipient: the message is encrypted to " +
                    (recipients.empty() ? std::string("no recognisable recipient") : recipients) +
                    ", and none of these is one of our server certificates");
}

}  // namespace casecrypt::crypto
