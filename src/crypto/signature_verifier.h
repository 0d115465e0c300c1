// Checking S/MIME signatures (RFC 8551 section 3.5): multipart/signed with a detached
// signature, and opaque application/pkcs7-mime signed-data. Reports whether the signature is
// valid over the content, who signed, and whether the signer's chain leads to a trust anchor
// (the system CA bundle plus the CA certificates the administrator imported).
// Thread-safe: no shared state.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/error.h"
#include "crypto/certificate.h"

namespace casecrypt::crypto {

struct SignatureReport {
    bool valid = false;    // the signature verifies over the content
    bool trusted = false;  // the signer's chain leads to a trust anchor
    std::string problem;   // why not valid or not trusted, empty when both hold
    std::optional<Certificate> signer;
};

struct TrustAnchors {
    bool use_system_store = true;
    std::vector<Certificate> extra;  // CA certificates imported with `cert import-ca`
    // Certificates that may have signed without being in the message (recipients' certificates
    // in the store): used to find the signer, never trusted because of this list.
    std::vector<Certificate> known_signers;
};

// Reads the signed entity in `entity` (its MIME headers and body), writes the signed content
// (the entity that was signed, headers included) to `content_out`, and reports. Errc::rejected
// only when the entity is not a signature OpenSSL can read at all.
Result<SignatureReport> verify_signed_entity(const std::filesystem::path& entity,
                                             const TrustAnchors& anchors,
                                             const std::filesystem::path& content_out);

}  // namespace casecrypt::crypto
