// Reading the files administrators hand us: X.509 certificates in PEM (with or without the
// text `openssl x509 -text` puts around them) or DER whatever the extension, PKCS #7
// "certs-only" bundles, and recognising PKCS #12 files offered in the wrong place.
// Pure functions over bytes; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "crypto/certificate.h"

namespace casecrypt::crypto {

struct CertificateFile {
    std::vector<Certificate> certificates;  // in file order
    bool had_private_key = false;           // a PEM private key block was seen (and ignored)
};

// Errc::rejected "contains no X.509 certificate ..." when nothing usable is found, and
// "is a PKCS #12 file ..." when the bytes are a PKCS #12 archive.
Result<CertificateFile> read_certificate_file(std::string_view bytes);

// True when the bytes parse as a DER PKCS #12 archive.
bool is_pkcs12(std::string_view bytes);

}  // namespace casecrypt::crypto
