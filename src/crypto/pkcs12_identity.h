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
    Certificate certificate;         // the one matching the private key
    Secret private_key_pkcs8;        // DER PrivateKeyInfo, in clear: seal it before storing
    std::vector<Certificate> chain;  // the other certificates of the file
    // False for a file without a MAC: nothing shows it was not altered since it was made.
    bool integrity_checked = true;
};

// The integrity check (MAC) a file carries, classic or PBMAC1 (RFC 9579), must verify with the
// password; a file without one is opened (RFC 7292 makes it optional) with integrity_checked
// false. A file must hold exactly one private key.
// Errc::rejected with a sentence: "not a PKCS #12 file", "the password is wrong",
// "has a malformed PBMAC1 integrity check", "contains no private key", "holds 2 private keys",
// "... matches no certificate carrying an email address".
// `require_address` false: any key with its certificate (for a one-off `mail decrypt --p12`,
// where no address is matched and no import policy applies).
Result<Pkcs12Identity> open_pkcs12(std::string_view bytes, const Secret& password,
                                   bool require_address = true);

}  // namespace casecrypt::crypto
