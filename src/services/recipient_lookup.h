// RecipientLookup: which certificate would encrypt mail to an address (`cert resolve`, the
// Ticket Email Editor's recipient chips), as a view: the CertificateResolver's three steps
// (ours, the store, LDAP) without its crypto types. A certificate LDAP returns is imported as it
// would be when sending. When there is none, `explain` says why in the user's terms (none at
// all, or the store's expired / not yet valid, with the date), so an edge need not guess.
// Not thread-safe (the resolver's database connection).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/error.h"
#include "services/certificate_view.h"

namespace casecrypt::store {
class CertificateStore;
}

namespace casecrypt::services {

class CertificateResolver;

// What sending to one address would find: the certificate, or the reason there is none.
struct RecipientCertificate {
    std::string address;
    std::optional<ResolvedCertificate> found;
    // Empty when found; else one sentence: "no certificate for A (none of ours, none valid in
    // the store, none in LDAP)" or "no certificate for A (the one in the store expired on
    // 2026-01-31; none of ours, none in LDAP)".
    std::string reason;
    // The store's client certificates for the address (the unusable ones when none was found).
    std::vector<CertificateView> store_certificates;
};

class RecipientLookup {
public:
    RecipientLookup(CertificateResolver& resolver, store::CertificateStore& store)
        : m_resolver(resolver), m_store(store) {}

    // nullopt when no certificate may encrypt to the address; an error only when the store
    // fails.
    Result<std::optional<ResolvedCertificate>> resolve(const std::string& address);
    // resolve() with the reason when there is none.
    Result<RecipientCertificate> explain(const std::string& address);

private:
    CertificateResolver& m_resolver;
    store::CertificateStore& m_store;
};

}  // namespace casecrypt::services
