// CertificateResolver: which certificate encrypts mail to an address (DESIGN.md, "Outgoing").
//   1. one of our own addresses: its newest valid server certificate;
//   2. a valid client certificate in the store (several: the one that expires last);
//   3. none, or only expired ones: LDAP, on the fly. What LDAP returns is validated as a file
//      import is, stored with source `ldap` beside what is stored, and used. A miss (or a
//      directory that is down) is remembered for a while so a burst does not hammer it.
// Only certificates that may encrypt are eligible (crypto/certificate_policy.h) and the address
// must be among the certificate's addresses. Not thread-safe (one database connection).
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
#include "services/properties.h"
#include "store/certificate_store.h"
#include "store/ldap_miss_store.h"

namespace casecrypt::services {

enum class ResolvedFrom { server, store, ldap };
std::string to_string(ResolvedFrom from);

struct Resolution {
    std::string address;
    ResolvedFrom from = ResolvedFrom::store;
    store::CertificateRecord record;
    crypto::Certificate certificate;
};

// How LDAP is asked; tests inject faults through it.
using DirectoryLookup = std::function<Result<std::vector<ldap::CertificateValue>>(
    const ldap::LdapSettings&, const std::string& address)>;

class CertificateResolver {
public:
    CertificateResolver(store::CertificateStore& store, CertificateAdmin& admin,
                        store::LdapMissStore& misses, Properties& properties, const Clock& clock,
                        DirectoryLookup lookup = ldap::find_certificates)
        : m_store(store), m_admin(admin), m_misses(misses), m_properties(properties),
          m_clock(clock), m_lookup(std::move(lookup)) {}

    // nullopt when no eligible certificate exists anywhere; an error only when the store fails.
    Result<std::optional<Resolution>> resolve(const std::string& address);

private:
    Result<std::optional<Resolution>> best(store::CertificateKind kind, const std::string& address,
                                           ResolvedFrom from);
    Result<std::optional<Resolution>> from_ldap(const std::string& address);
    Result<std::optional<ldap::LdapSettings>> ldap_settings();

    store::CertificateStore& m_store;
    CertificateAdmin& m_admin;
    store::LdapMissStore& m_misses;
    Properties& m_properties;
    const Clock& m_clock;
    DirectoryLookup m_lookup;
};

}  // namespace casecrypt::services
