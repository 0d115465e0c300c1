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
    SignedEntity out{std::move(cms), BioPtr(detached)};
    if (!out.cms || OBJ_obj2nid(CMS_get0_type(out.cms.get())) != NID_pkcs7_signed) {
        clear_openssl_errors();
        return fail(Errc::rejected, "the signed part is damaged (not a readable S/MIME signature)");
    }
    return out;
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

}  // namespace

Result<SignatureReport> verify_signed_entity(const std::filesystem::path& entity,
                                             const TrustAnchors& anchors,
                                             const std::filesystem::path& content_out) {
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
        if (CMS_verify(signed_entity->cms.get(), nullptr, nullptr, signed_entity->detached.get(),
                       out.get(), no_checks) != 1) {
            // Content could not be read at all: keep what we have, the real check says why.
            clear_openssl_errors();
        }
    }
    // Second pass: the signature over the content, then the chain on its own.
    auto signed_entity = read_signed(entity);
    if (!signed_entity) {
        return std::unexpected(signed_entity.error());
    }
    SignatureReport report;
    CMS_ContentInfo* cms = signed_entity->cms.get();
    report.valid = CMS_verify(cms, nullptr, nullptr, signed_entity->detached.get(), nullptr,
                              CMS_NO_SIGNER_CERT_VERIFY) == 1;
    if (!report.valid) {
        report.problem = openssl_error(Errc::rejected, "the signature does not verify").message();
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
            auto parsed = Certificate::from_der(std::string(reinterpret_cast<char*>(der),
                                                            static_cast<std::size_t>(n)));
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
                report.problem = std::string("the signer's certificate is not trusted (") +
                                 X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx.get())) +
                                 ")";
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
