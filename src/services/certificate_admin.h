// CertificateAdmin: what an administrator does with certificates: import server identities
// (PKCS #12), recipients' public certificates (X.509) and trust anchors (CA certificates), list,
// show and remove them. What it returns are views (services/certificate_view.h): no store
// record, no DER, no key material.
//
// Every import is validated before anything is written (crypto/certificate_policy.h); a
// rejected file leaves the store unchanged. Imports take bytes (an upload) or a path (which is
// read, then imported as bytes). Ids are unique across kinds, so show and remove of an id act
// on that one certificate, whatever its kind. Server private keys are sealed by the KeyVault
// before they reach the store. Every change is audited.
// Not thread-safe (one database connection); make one per thread.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/error.h"
#include "core/secret.h"
#include "services/certificate_view.h"

namespace casecrypt::crypto {
class KeyVault;
}
namespace casecrypt::store {
class AuditLog;
class CertificateStore;
struct CertificateRecord;
}  // namespace casecrypt::store

namespace casecrypt::services {

class KeyRing;

class CertificateAdmin {
public:
    CertificateAdmin(store::CertificateStore& store, store::AuditLog& audit,
                     const crypto::KeyVault& vault, const Clock& clock);
    ~CertificateAdmin();
    CertificateAdmin(CertificateAdmin&&) noexcept;
    CertificateAdmin& operator=(CertificateAdmin&&) = delete;

    // Certificate files are small; anything bigger than this is not one.
    static constexpr std::size_t kMaxCertificateFile = 16 * 1024 * 1024;

    // X.509 file(s): every usable end-entity certificate is imported. Errc::rejected when none
    // is usable; the sentence says why for each certificate, and `refused` (when given)
    // receives the items with their reasons, so the edge can say how to fix them. A
    // certificate already stored as one of our server certificates is not stored again
    // (already_present, own_server_identity). `label` names the input in sentences.
    Result<ImportReport> import_client_bytes(std::string_view bytes, const std::string& label,
                                             const std::string& actor,
                                             CertificateSource source = CertificateSource::file,
                                             ImportReport* refused = nullptr);
    // Errc::io when the file cannot be read ("cannot read FILE: ...").
    Result<ImportReport> import_client(const std::filesystem::path& file, const std::string& actor,
                                       ImportReport* refused = nullptr);

    // PKCS #12 with its password (empty: none). An expired identity is imported with a warning.
    // A wrong or missing password is Errc::rejected.
    Result<ImportReport> import_server_bytes(std::string_view bytes, const std::string& label,
                                             const Secret& password, const std::string& actor);
    Result<ImportReport> import_server(const std::filesystem::path& file, const Secret& password,
                                       const std::string& actor);

    // CA certificates trusted for S/MIME signatures besides the system bundle (kind ca). Each
    // CA certificate of the file is added; end-entity certificates are skipped with a note.
    Result<ImportReport> import_ca_bytes(std::string_view bytes, const std::string& label,
                                         const std::string& actor);
    Result<ImportReport> import_ca(const std::filesystem::path& file, const std::string& actor);

    // Ordered by id; all kinds, or one.
    Result<std::vector<CertificateView>> list(std::optional<CertificateKind> kind = {});
    // Errc::not_found for an unknown id.
    Result<CertificateDetails> show(long long id);
    // Removes the certificate with this id (of whatever kind; its private key with it) and
    // returns what it was. Errc::not_found for an unknown id.
    Result<CertificateView> remove(long long id, const std::string& actor);

    // For the other services (decryption, signature verification); see services/key_ring.h.
    KeyRing& key_ring() { return *m_key_ring; }
    const Clock& clock() const { return m_clock; }

private:
    Result<ImportItem> store_certificate(const store::CertificateRecord& record,
                                         const std::vector<std::string>& chain,
                                         const std::optional<std::string>& sealed_key,
                                         const std::string& actor);
    Result<std::optional<ImportItem>> already_stored(const store::CertificateRecord& record);

    store::CertificateStore& m_store;
    store::AuditLog& m_audit;
    const crypto::KeyVault& m_vault;
    const Clock& m_clock;
    std::unique_ptr<KeyRing> m_key_ring;
};

}  // namespace casecrypt::services
