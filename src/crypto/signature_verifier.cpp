#include "crypto/signature_verifier.h"

#include "crypto/openssl_error.h"
#include "crypto/ossl_ptr.h"

namespace casecrypt::crypto {
namespace {

using X509StorePtr = std::unique_ptr<X509_STORE, OsslDeleter<X509_STORE_free>>;
using X509StoreCtxPtr = std::unique_ptr<X509_STORE_CTX, OsslDeleter<X509_STORE_CTX_free>>;

struct SignedEntity {
    CmsPtr cms;
    BioPtr detached;  // the first part of a multipart/signed, or null for opaque signed-data
};

Result<SignedEntity> read_signed(const std::filesystem::path& entity) {
    BioPtr in(BIO_new_file(entity.c_str(), "rb"));
    if (!in) {
        return std::unexpected(openssl_error(Errc::io, "cannot read " + entity.string()));
    }
    BIO* detached = nullptr;
    CmsPtr cms(SMIME_read_CMS(in.get(), &detached));
    // A buffer in front of the memory BIO SMIME_read_CMS returns: OpenSSL 3.0.19's CMS_verify
    // leaks a copy of a memory BIO when verification fails early (openssl PR 30471).
    BioPtr content(detached);
    if (content) {
        BIO* buffer = BIO_new(BIO_f_buffer());
        if (buffer != nullptr) {
            content.reset(BIO_push(buffer, content.release()));
        }
    }
    SignedEntity out{std::move(cms), std::move(content)};
    if (!out.cms || OBJ_obj2nid(CMS_get0_type(out.cms.get())) != NID_pkcs7_signed) {
        clear_openssl_errors();
        return fail(Errc::rejected, "the signed part is damaged (not a readable S/MIME signature)");
    }
    return out;
}

X509StackPtr certificate_stack(const std::vector<Certificate>& certificates) {
    X509StackPtr stack(sk_X509_new_null());
    for (const Certificate& certificate : certificates) {
        const auto* p = reinterpret_cast<const unsigned char*>(certificate.der().data());
        X509Ptr x509(d2i_X509(nullptr, &p, static_cast<long>(certificate.der().size())));
        if (x509 && sk_X509_push(stack.get(), x509.get()) != 0) {
            x509.release();  // the stack owns it now
        }
    }
    clear_openssl_errors();
    return stack;
}

// The signed content without any check, when CMS_verify cannot even find the signer.
void copy_content(SignedEntity& entity, BIO* out) {
    if (entity.detached) {
        char buffer[16384];
        int n = 0;
        while ((n = BIO_read(entity.detached.get(), buffer, sizeof buffer)) > 0) {
            BIO_write(out, buffer, n);
        }
        return;
    }
    ASN1_OCTET_STRING** content = CMS_get0_content(entity.cms.get());
    if (content != nullptr && *content != nullptr) {
        BIO_write(out, ASN1_STRING_get0_data(*content), ASN1_STRING_length(*content));
    }
}

Result<X509StorePtr> make_store(const TrustAnchors& anchors) {
    X509StorePtr store(X509_STORE_new());
    if (!store) {
        return std::unexpected(openssl_error(Errc::internal, "cannot make a trust store"));
    }
    if (anchors.use_system_store) {
        X509_STORE_set_default_paths(store.get());
    }
    for (const Certificate& anchor : anchors.extra) {
        const auto* p = reinterpret_cast<const unsigned char*>(anchor.der().data());
        X509Ptr x509(d2i_X509(nullptr, &p, static_cast<long>(anchor.der().size())));
        if (x509) {
            X509_STORE_add_cert(store.get(), x509.get());
        }
    }
    clear_openssl_errors();
    return store;
}

// A digest with known collisions makes a signature worthless, however well it verifies (the
// legacy provider, loaded for old encrypted mail, would let OpenSSL accept MD4).
std::string broken_digest(CMS_ContentInfo* cms) {
    STACK_OF(CMS_SignerInfo)* infos = CMS_get0_SignerInfos(cms);
    for (int i = 0; infos != nullptr && i < sk_CMS_SignerInfo_num(infos); ++i) {
        X509_ALGOR* digest = nullptr;
        CMS_SignerInfo_get0_algs(sk_CMS_SignerInfo_value(infos, i), nullptr, nullptr, &digest,
                                 nullptr);
        const ASN1_OBJECT* oid = nullptr;
        if (digest != nullptr) {
            X509_ALGOR_get0(&oid, nullptr, nullptr, digest);
        }
        const int nid = oid != nullptr ? OBJ_obj2nid(oid) : NID_undef;
        if (nid == NID_md2 || nid == NID_md4 || nid == NID_md5) {
            return OBJ_nid2sn(nid);
        }
    }
    return {};
}

}  // namespace

Result<SignatureReport> verify_signed_entity(const std::filesystem::path& entity,
                                             const TrustAnchors& anchors,
                                             const std::filesystem::path& content_out) {
    std::vector<Certificate> candidates = anchors.extra;
    candidates.insert(candidates.end(), anchors.known_signers.begin(), anchors.known_signers.end());
    X509StackPtr extra_certs = certificate_stack(candidates);
    // First pass: take the content out whatever the signature says (the helpdesk shows it,
    // marked), without any check.
    {
        auto signed_entity = read_signed(entity);
        if (!signed_entity) {
            return std::unexpected(signed_entity.error());
        }
        BioPtr out(BIO_new_file(content_out.c_str(), "wb"));
        if (!out) {
            return std::unexpected(openssl_error(Errc::io, "cannot write " + content_out.string()));
        }
        const unsigned int no_checks =
            CMS_NO_SIGNER_CERT_VERIFY | CMS_NO_ATTR_VERIFY | CMS_NO_CONTENT_VERIFY | CMS_BINARY;
        if (CMS_verify(signed_entity->cms.get(), extra_certs.get(), nullptr,
                       signed_entity->detached.get(), out.get(), no_checks) != 1) {
            // Not even the signer was found: the content as it is, from a fresh read.
            clear_openssl_errors();
            out.reset(BIO_new_file(content_out.c_str(), "wb"));
            auto again = read_signed(entity);
            if (out && again) {
                copy_content(*again, out.get());
            }
        }
    }
    // Second pass: the signature over the content, then the chain on its own.
    auto signed_entity = read_signed(entity);
    if (!signed_entity) {
        return std::unexpected(signed_entity.error());
    }
    SignatureReport report;
    CMS_ContentInfo* cms = signed_entity->cms.get();
    report.valid = CMS_verify(cms, extra_certs.get(), nullptr, signed_entity->detached.get(),
                              nullptr, CMS_NO_SIGNER_CERT_VERIFY) == 1;
    if (!report.valid) {
        report.problem = openssl_error(Errc::rejected, "the signature does not verify").message();
    } else if (const std::string weak = broken_digest(cms); !weak.empty()) {
        report.valid = false;
        report.problem = "the signature uses " + weak + ", a broken digest; it proves nothing";
    }
    X509StackViewPtr signers(CMS_get0_signers(cms));
    X509* signer = nullptr;
    if (signers && sk_X509_num(signers.get()) > 0) {
        signer = sk_X509_value(signers.get(), 0);
    }
    X509StackPtr untrusted(CMS_get1_certs(cms));
    if (signer != nullptr) {
        unsigned char* der = nullptr;
        const int n = i2d_X509(signer, &der);
        if (n > 0) {
            OsslBytesPtr owned(der);
            auto parsed = Certificate::from_der(
                std::string(reinterpret_cast<char*>(der), static_cast<std::size_t>(n)));
            if (parsed) {
                report.signer = std::move(*parsed);
            }
        }
        auto store = make_store(anchors);
        if (!store) {
            return std::unexpected(store.error());
        }
        X509StoreCtxPtr ctx(X509_STORE_CTX_new());
        if (ctx && X509_STORE_CTX_init(ctx.get(), store->get(), signer, untrusted.get()) == 1) {
            X509_STORE_CTX_set_default(ctx.get(), "smime_sign");
            report.trusted = X509_verify_cert(ctx.get()) == 1;
            if (!report.trusted && report.valid) {
                report.problem =
                    std::string("the signer's certificate is not trusted (") +
                    X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx.get())) + ")";
            }
        }
    } else if (report.valid) {
        report.valid = false;
        report.problem = "the signature names no signer certificate that the message carries";
    }
    clear_openssl_errors();
    return report;
}

}  // namespace casecrypt::crypto
