#include "crypto/certificate_file.h"

#include <openssl/pem.h>

#include <cstring>

#include "core/secret.h"
#include "crypto/openssl_error.h"
#include "crypto/ossl_ptr.h"

namespace casecrypt::crypto {
namespace {

constexpr std::string_view kNoCertificate =
    "contains no X.509 certificate (it is neither a PEM nor a DER certificate, or it is "
    "damaged or truncated)";

// The certificates of a PKCS #7 SignedData ("certs-only", .p7b/.p7c, Outlook's LDAP blobs).
void append_pkcs7_certificates(PKCS7* p7, std::vector<std::string>& ders) {
    if (p7 == nullptr || OBJ_obj2nid(p7->type) != NID_pkcs7_signed || p7->d.sign == nullptr) {
        return;
    }
    STACK_OF(X509)* certs = p7->d.sign->cert;
    for (int i = 0; certs != nullptr && i < sk_X509_num(certs); ++i) {
        unsigned char* out = nullptr;
        const int n = i2d_X509(sk_X509_value(certs, i), &out);
        if (n > 0) {
            OsslBytesPtr owned(out);
            ders.emplace_back(reinterpret_cast<char*>(out), static_cast<std::size_t>(n));
        }
    }
}

// Reads every PEM block; certificates and PKCS #7 bundles are kept, keys noted, the rest
// (and any text between blocks) skipped. Stops at the first damaged block.
void read_pem_blocks(std::string_view bytes, std::vector<std::string>& ders, bool& had_key) {
    BioPtr bio = memory_bio(bytes.data(), bytes.size());
    for (;;) {
        char* raw_name = nullptr;
        char* raw_header = nullptr;
        unsigned char* raw_data = nullptr;
        long length = 0;
        if (PEM_read_bio(bio.get(), &raw_name, &raw_header, &raw_data, &length) != 1) {
            break;
        }
        OsslStringPtr name(raw_name);
        OsslStringPtr header(raw_header);
        OsslBytesPtr data(raw_data);
        const std::string_view type = raw_name;
        const std::string_view der(reinterpret_cast<char*>(raw_data),
                                   static_cast<std::size_t>(length));
        if (type == "CERTIFICATE" || type == "X509 CERTIFICATE" || type == "TRUSTED CERTIFICATE") {
            ders.emplace_back(der);  // a TRUSTED CERTIFICATE's trailing aux data is cut later
        } else if (type == "PKCS7") {
            const auto* p = reinterpret_cast<const unsigned char*>(der.data());
            Pkcs7Ptr p7(d2i_PKCS7(nullptr, &p, static_cast<long>(der.size())));
            append_pkcs7_certificates(p7.get(), ders);
        } else if (type.find("PRIVATE KEY") != std::string_view::npos) {
            secure_zero(raw_data, static_cast<std::size_t>(length));
            had_key = true;
        }
    }
    clear_openssl_errors();
}

}  // namespace

bool is_pkcs12(std::string_view bytes) {
    const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
    Pkcs12Ptr p12(d2i_PKCS12(nullptr, &p, static_cast<long>(bytes.size())));
    clear_openssl_errors();
    return p12 != nullptr;
}

Result<CertificateFile> read_certificate_file(std::string_view bytes) {
    CertificateFile file;
    std::vector<std::string> ders;
    if (bytes.find("-----BEGIN ") != std::string_view::npos) {
        read_pem_blocks(bytes, ders, file.had_private_key);
    } else if (!bytes.empty()) {
        const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
        X509Ptr x509(d2i_X509(nullptr, &p, static_cast<long>(bytes.size())));
        if (x509) {
            ders.emplace_back(bytes);
        } else {
            const auto* q = reinterpret_cast<const unsigned char*>(bytes.data());
            Pkcs7Ptr p7(d2i_PKCS7(nullptr, &q, static_cast<long>(bytes.size())));
            append_pkcs7_certificates(p7.get(), ders);
        }
        clear_openssl_errors();
        if (ders.empty() && is_pkcs12(bytes)) {
            return fail(Errc::rejected,
                        "is a PKCS #12 file (a private key with its certificate); import it as a "
                        "server certificate, or export only the certificate to import it as a "
                        "client certificate");
        }
    }
    for (auto& der : ders) {
        auto certificate = Certificate::from_der(std::move(der));
        if (certificate) {
            file.certificates.push_back(std::move(*certificate));
        }
    }
    if (file.certificates.empty()) {
        return fail(Errc::rejected, std::string(kNoCertificate));
    }
    return file;
}

}  // namespace casecrypt::crypto
