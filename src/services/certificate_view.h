// CertificateView: a certificate as the services show it to an edge (CLI, web, workflow):
// plain values and enums, no store record, no DER, never key material. The words of the enums'
// to_string() are those of `cert list --json`. Values; thread-safe as any value.
#pragma once

#include <string>
#include <vector>

#include "core/clock.h"

namespace casecrypt::services {

// server: one of our identities (with its private key); client: a recipient's public
// certificate; ca: a CA certificate trusted for S/MIME signatures (a trust anchor).
enum class CertificateKind { server, client, ca };
// Where a certificate came from: an imported file (or upload), LDAP, or a signed mail.
enum class CertificateSource { file, ldap, harvested };
// Judged at the services' clock's "now".
enum class CertificateStatus { valid, expired, not_yet_valid };

std::string to_string(CertificateKind kind);
std::string to_string(CertificateSource source);
std::string to_string(CertificateStatus status);

struct CertificateView {
    long long id = 0;  // unique across kinds: one id is one certificate
    CertificateKind kind = CertificateKind::client;
    std::vector<std::string> addresses;
    std::string subject;
    std::string issuer;
    std::string serial;
    TimePoint not_before{};
    TimePoint not_after{};
    std::string fingerprint_sha256;
    std::string key_description;  // e.g. "RSA 2048"
    CertificateSource source = CertificateSource::file;
    CertificateStatus status = CertificateStatus::valid;
    bool has_private_key = false;
    TimePoint created_at{};
    std::string created_by;
};

// The chain stored with a server certificate (from its PKCS #12), issuer side last.
struct ChainEntry {
    std::string subject;
    std::string issuer;
    std::string serial;
    std::string fingerprint_sha256;
    TimePoint not_after{};
};

struct CertificateDetails {
    CertificateView certificate;
    std::vector<ChainEntry> chain;
};

enum class ImportOutcome { imported, already_present, skipped };

// Why a certificate was not imported (skipped), or why nothing changed (already_present), so
// an edge can say how to fix it in its own terms.
enum class ImportNote {
    none,
    ca_certificate,       // a CA offered as a recipient's certificate: import it as a trust anchor
    not_ca,               // an end-entity certificate offered as a trust anchor
    unusable,             // cannot encrypt (dates, key usage, no address, ...)
    same_kind_present,    // already stored as this kind
    own_server_identity,  // offered as a client certificate, but it is one of our server ones
};

struct ImportItem {
    ImportOutcome outcome = ImportOutcome::imported;
    CertificateView certificate;  // as stored (or as it would have been, when skipped)
    std::string note;             // why skipped, or a warning such as "expired"
    ImportNote reason = ImportNote::none;
};

struct ImportReport {
    std::vector<ImportItem> items;
    std::vector<std::string> warnings;  // about the file as a whole
};

// `cert resolve`: which certificate would encrypt mail to an address, and from which step.
enum class ResolvedFrom { server, store, ldap };
std::string to_string(ResolvedFrom from);

struct ResolvedCertificate {
    std::string address;
    ResolvedFrom from = ResolvedFrom::store;
    CertificateView certificate;
};

}  // namespace casecrypt::services
