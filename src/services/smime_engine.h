// SmimeEngine: turns a message into an S/MIME encrypted message and back (RFC 8551), joining
// the MIME side (src/mime) and the CMS side (src/crypto). File to file, so a 1 GiB message is
// never held in memory. What it found is returned as a report; the edges print it.
// Not thread-safe; one per operation or thread.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/error.h"
#include "crypto/cms_envelope.h"
#include "crypto/signature_verifier.h"

namespace casecrypt::services {

struct SignatureInfo {
    bool valid = false;
    bool trusted = false;
    bool matches_from = false;
    std::string signer;  // the signer's first address, or subject when it has none
    std::string signer_subject;
    std::string signer_sha256;
    std::string problem;
};

// One part of a message that mixes encrypted and plain parts (the EFAIL pattern): each is
// reported on its own and never merged into one text.
struct PartReport {
    int index = 0;
    std::string content_type;
    bool encrypted = false;
    bool decrypted = false;
    std::optional<std::string> text;
    std::string error;
};

struct DecryptReport {
    bool encrypted = false;
    std::string content_cipher;
    bool integrity_protected = false;
    std::string certificate_sha256;  // the server certificate that decrypted it
    std::optional<SignatureInfo> signature;
    std::string subject;  // the real one (protected headers replace the outer placeholder)
    bool protected_headers = false;
    std::optional<std::string> text;
    bool mixed_parts = false;  // the EFAIL pattern: see parts
    std::vector<PartReport> parts;
    int layers = 0;
};

struct EngineLimits {
    std::uintmax_t max_message_bytes = 1024ull * 1024 * 1024;
    int max_layers = 4;  // encryption and signature layers, nested
};

class SmimeEngine {
public:
    SmimeEngine(std::filesystem::path work_dir, EngineLimits limits = {})
        : m_work_dir(std::move(work_dir)), m_limits(limits) {}

    // Encrypts `message` to the recipients into `out`: the outer headers (never Bcc), then an
    // application/pkcs7-mime body holding the message's own Content-* headers and body.
    Result<void> encrypt(const std::filesystem::path& message,
                         const std::vector<crypto::Certificate>& recipients,
                         const crypto::EncryptOptions& options, const std::filesystem::path& out);

    // Decrypts (and unwraps signatures of) `message` into `out`, an ordinary RFC 5322 message.
    Result<DecryptReport> decrypt(const std::filesystem::path& message,
                                  const std::vector<crypto::DecryptionIdentity>& identities,
                                  const crypto::TrustAnchors& anchors,
                                  const std::filesystem::path& out);

private:
    std::filesystem::path m_work_dir;
    EngineLimits m_limits;
};

}  // namespace casecrypt::services
