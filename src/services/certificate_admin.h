// CertificateAdmin: what an administrator does with certificates: import server identities
// (PKCS #12) and recipients' public certificates (X.509), list, show and remove them.
//
// Every import is validated before anything is written (crypto/certificate_policy.h); a
// rejected file leaves the store unchanged. Server private keys are sealed by the KeyVault
// before they reach the store and are never returned by this class. Every change is audited.
// Not thread-safe (one database connection); make one per thread.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/error.h"
#include "core/secret.h"
#include "crypto/cms_envelope.h"
#include "crypto/key_vault.h"
#include "crypto/signature_verifier.h"
#include "store/audit_log.h"
#include "store/certificate_store.h"
#include "store/trust_anchor_store.h"

namespace casecrypt::services {

enum class ImportOutcome { imported, already_present, skipped };

struct ImportItem {
    ImportOutcome outcome;
    store::CertificateRecord certificate;  // as stored (or as it would have been, when skipped)
    std::string note;                      // why skipped, or a warning such as "expired"
};

struct ImportReport {
    std::vector<ImportItem> items;
    std::vector<std::string> warnings;  // about the file as a whole
};

// "valid", "expired" or "not_yet_valid" at the given time (the words of `cert list --json`).
std::string certificate_status(const store::CertificateRecord& record, TimePoint now);

class CertificateAdmin {
public:
    CertificateAdmin(store::CertificateStore& store, store::TrustAnchorStore& anchors,
                     store::AuditLog& audit, const crypto::KeyVault& vault, const Clock& clock)
        : m_store(store), m_anchors(anchors), m_audit(audit), m_vault(vault), m_clock(clock) {}

    // X.509 file(s): every usable end-entity certificate is imported. Errc::rejected when none
    // is usable; the sentence says why for each certificate.
    Result<ImportReport> import_client(const std::filesystem::path& file, const std::string& actor);
    Result<ImportReport> import_client_bytes(std::string_view bytes, const std::string& label,
                                             store::CertificateSource source,
                                             const std::string& actor);

    // PKCS #12 with its password (empty: none). An expired identity is imported with a warning.
    Result<ImportReport> import_server(const std::filesystem::path& file, const Secret& password,
                                       const std::string& actor);

    Result<std::vector<store::CertificateRecord>> list(
        std::optional<store::CertificateKind> kind = {});
    // Errc::not_found for an unknown id.
    Result<store::CertificateRecord> show(long long id);
    Result<std::vector<store::CertificateRecord>> chain(long long id);
    Result<store::CertificateRecord> remove(long long id, const std::string& actor);

    // CA certificates trusted for S/MIME signatures besides the system bundle. Each CA
    // certificate of the file is added; end-entity certificates are skipped with a note.
    Result<ImportReport> import_ca(const std::filesystem::path& file, const std::string& actor);
    Result<crypto::TrustAnchors> trust_anchors();

    // Every server identity, for decryption: the key is unsealed only when asked for (that is,
    // only when a RecipientInfo names the certificate).
    Result<std::vector<crypto::DecryptionIdentity>> decryption_identities();

    const Clock& clock() const { return m_clock; }

private:
    Result<ImportItem> store_certificate(const store::CertificateRecord& record,
                                         const std::vector<std::string>& chain,
                                         const std::optional<std::string>& sealed_key,
                                         const std::string& actor);

    store::CertificateStore& m_store;
    store::TrustAnchorStore& m_anchors;
    store::AuditLog& m_audit;
    const crypto::KeyVault& m_vault;
    const Clock& m_clock;
};

}  // namespace casecrypt::services
