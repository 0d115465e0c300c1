#include "services/recipient_lookup.h"

#include "core/iso_time.h"
#include "crypto/certificate.h"
#include "services/certificate_records.h"
#include "services/certificate_resolver.h"
#include "store/certificate_store.h"

namespace casecrypt::services {
namespace {

std::string day_of(TimePoint at) {
    return to_iso8601(at).substr(0, 10);
}

// Why the store's certificates for the address did not do, from the newest one.
std::string why_not(const std::string& address, const std::vector<CertificateView>& stored) {
    const std::string none = "no certificate for " + address + " (";
    const CertificateView* newest = nullptr;
    for (const auto& c : stored) {
        if (newest == nullptr || c.not_after > newest->not_after)
            newest = &c;
    }
    if (newest != nullptr && newest->status == CertificateStatus::expired) {
        return none + "the one in the store expired on " + day_of(newest->not_after) +
               "; none of ours, none in LDAP)";
    }
    if (newest != nullptr && newest->status == CertificateStatus::not_yet_valid) {
        return none + "the one in the store is valid only from " + day_of(newest->not_before) +
               "; none of ours, none in LDAP)";
    }
    return none + "none of ours, none valid in the store, none in LDAP)";
}

}  // namespace

Result<std::optional<ResolvedCertificate>> RecipientLookup::resolve(const std::string& address) {
    auto resolved = m_resolver.resolve(address);
    if (!resolved) {
        return std::unexpected(resolved.error());
    }
    if (!*resolved) {
        return std::optional<ResolvedCertificate>();
    }
    const Resolution& r = **resolved;
    return ResolvedCertificate{.address = r.address,
                               .from = r.from,
                               .certificate = to_view(r.record, m_resolver.clock().now())};
}

Result<RecipientCertificate> RecipientLookup::explain(const std::string& address) {
    auto found = resolve(address);
    if (!found)
        return std::unexpected(found.error());
    RecipientCertificate out;
    out.address = address;
    out.found = std::move(*found);
    auto stored =
        m_store.find_by_address(store::CertificateKind::client, crypto::normalize_address(address));
    if (!stored)
        return std::unexpected(stored.error());
    const TimePoint now = m_resolver.clock().now();
    for (const auto& record : *stored)
        out.store_certificates.push_back(to_view(record, now));
    if (!out.found)
        out.reason = why_not(address, out.store_certificates);
    return out;
}

}  // namespace casecrypt::services
