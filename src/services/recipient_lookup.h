// RecipientLookup: which certificate would encrypt mail to an address (`cert resolve`), as a
// view: the CertificateResolver's three steps (ours, the store, LDAP) without its crypto
// types. A certificate LDAP returns is imported as it would be when sending.
// Not thread-safe (the resolver's database connection).
#pragma once

#include <optional>
#include <string>

#include "core/error.h"
#include "services/certificate_view.h"

namespace casecrypt::services {

class CertificateResolver;

class RecipientLookup {
public:
    explicit RecipientLookup(CertificateResolver& resolver) : m_resolver(resolver) {}

    // nullopt when no certificate may encrypt to the address; an error only when the store
    // fails.
    Result<std::optional<ResolvedCertificate>> resolve(const std::string& address);

private:
    CertificateResolver& m_resolver;
};

}  // namespace casecrypt::services
