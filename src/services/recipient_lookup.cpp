#include "services/recipient_lookup.h"

#include "services/certificate_records.h"
#include "services/certificate_resolver.h"

namespace casecrypt::services {

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

}  // namespace casecrypt::services
