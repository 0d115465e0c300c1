// SmimeEngine: turns a message into an S/MIME encrypted message and back (RFC 8551), joining
// the MIME side (src/mime) and the CMS side (src/crypto). File to file, so a 1 GiB message is
// never held in memory. What it found is returned as a report (services/decrypt_report.h);
// the edges print it. Internal to the services: edges use MailCrypto.
// Not thread-safe; one per operation or thread.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/error.h"
#include "crypto/cms_envelope.h"
#include "crypto/signature_verifier.h"
#include "mime/mime_document.h"
#include "services/decrypt_report.h"

namespace casecrypt::services {

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
    // The same with `message` already parsed (e.g. by mime::parse_message, whose
    // ParsedMessage::document it is), so that it is not parsed a second time. `message` is
    // still read where OpenSSL needs the exact bytes (a signed message) or where it is passed
    // on unchanged (mixed parts).
    Result<DecryptReport> decrypt(const std::filesystem::path& message,
                                  const mime::MimeDocument& parsed,
                                  const std::vector<crypto::DecryptionIdentity>& identities,
                                  const crypto::TrustAnchors& anchors,
                                  const std::filesystem::path& out);

private:
    Result<void> check_size(const std::filesystem::path& message) const;

    std::filesystem::path m_work_dir;
    EngineLimits m_limits;
};

}  // namespace casecrypt::services
