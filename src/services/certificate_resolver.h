// CertificateResolver: which certificate encrypts mail to an address (DESIGN.md, "Outgoing").
//   1. one of our own addresses: its newest valid server certificate;
//   2. a valid client certificate in the store (several: the one that expires last);
//   3. none, or only expired ones: LDAP, on the fly. What LDAP returns is validated as a file
//      import is, stored with source `ldap` beside what is stored, and used. A miss (or a
//      directory that is down) is remembered for a while so a burst does not hammer it.
// Only certificates that may encrypt are eligible (crypto/certificate_policy.h) and the address
// must be among the certificate's addresses. Not thread-safe (one database connection).
//
// The recipients of one mail are resolved together (resolve_all): their LDAP lookups run at the
// same time (at most kMaxParallelLookups at once) within one budget, the LDAP timeout, so
// recipients whose directory is silent cost about one timeout for the whole mail, not one each.
// A lookup that would start after the budget is spent is not made (counted as a failed lookup).
// Only the lookups run on other threads; what they found is validated and stored on the
// caller's thread.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/error.h"
#include "crypto/certificate.h"
#include "ldap/ldap_directory.h"
#include "services/certificate_admin.h"
#include "services/certificate_view.h"
#include "services/properties.h"
#include "store/certificate_store.h"
#include "store/ldap_miss_store.h"

namespace casecrypt::services {

// ResolvedFrom is in services/certificate_view.h (edges show it).
struct Resolution {
    std::string address;
    ResolvedFrom from = ResolvedFrom::store;
    store::CertificateRecord record;
    crypto::Certificate certificate;
};

// How LDAP is asked; tests inject faults through it. Called from several threads at once.
using DirectoryLookup = std::function<Result<std::vector<ldap::CertificateValue>>(
    const ldap::LdapSettings&, const std::string& address)>;

class CertificateResolver {
public:
    CertificateResolver(store::CertificateStore& store, CertificateAdmin& admin,
                        store::LdapMissStore& misses, Properties& properties, const Clock& clock,
                        DirectoryLookup lookup = ldap::find_certificates)
        : m_store(store),
          m_admin(admin),
          m_misses(misses),
          m_properties(properties),
          m_clock(clock),
          m_lookup(std::move(lookup)) {}

    static constexpr std::size_t kMaxParallelLookups = 8;

    const Clock& clock() const { return m_clock; }

    // nullopt when no eligible certificate exists anywhere; an error only when the store fails.
    Result<std::optional<Resolution>> resolve(const std::string& address);
    // resolve() for each address (in the same order), with the LDAP lookups of all of them in
    // one budget (see above).
    Result<std::vector<std::optional<Resolution>>> resolve_all(
        const std::vector<std::string>& addresses);

private:
    using LookupResult = Result<std::vector<ldap::CertificateValue>>;

    Result<std::optional<Resolution>> best(store::CertificateKind kind, const std::string& address,
                                           ResolvedFrom from);
    // Steps 1 and 2: a server or stored client certificate.
    Result<std::optional<Resolution>> from_store(const std::string& address);
    // The addresses' lookups, concurrently, in one budget of settings.timeout.
    std::vector<LookupResult> look_up(const ldap::LdapSettings& settings,
                                      const std::vector<std::string>& addresses) const;
    // Imports what the directory returned for address and picks the certificate; a miss (or a
    // failed lookup) is remembered.
    Result<std::optional<Resolution>> accept_ldap_answer(const std::string& address,
                                                         const LookupResult& values);
    Result<std::optional<ldap::LdapSettings>> ldap_settings();

    store::CertificateStore& m_store;
    CertificateAdmin& m_admin;
    store::LdapMissStore& m_misses;
    Properties& m_properties;
    const Clock& m_clock;
    DirectoryLookup m_lookup;
};

}  // namespace casecrypt::services
