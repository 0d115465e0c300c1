// Opening a PKCS #12 file (.p12/.pfx) into a server identity: the private key, the
// certificate that key belongs to, and the chain certificates that came with it.
//
// Handles PBES2/AES and legacy RC2-40/3DES files (init_openssl() must have loaded the legacy
// provider), a password, an empty password or none. The private key only ever leaves this
// module as PKCS #8 DER inside a Secret. Thread-safe.
#pragma once

#include <string_view>
#include <vector>

#include "core/error.h"
#include "core/secret.h"
#include "crypto/certificate.h"

namespace casecrypt::crypto {

struct Pkcs12Identity {
    Certificate certificate;           // the one matching the private key
    Secret private_key_pkcs8;          // DER PrivateKeyInfo, in clear: seal it before storing
    std::vector<Certificate> chain;    // the other certificates of the file
};

// Errc::rejected with a sentence: "not a PKCS #12 file", "the password is wrong",
// "contains no private key", "... matches no certificate carrying an email address".
// `require_address` false: any key with its certificate (for a one-off `mail decrypt --p12`,
// where no address is matched and no import policy applies).
Result<Pkcs12Identity> open_pkcs12(std::string_view bytes, const Secret& password,
                                   bool require_address = true);

}  // namespace casecrypt::crypto
