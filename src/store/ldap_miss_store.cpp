#include "store/ldap_miss_store.h"

#include <soci/soci.h>

#include "core/iso_time.h"
#include "store/guarded.h"

namespace casecrypt::store {

Result<bool> LdapMissStore::is_remembered(const std::string& address, TimePoint now) {
    return guarded("reading LDAP misses", [&]() -> Result<bool> {
        std::string until;
        m_database.session() << "SELECT until_at FROM ldap_misses WHERE address = :a",
            soci::use(address), soci::into(until);
        return m_database.session().got_data() && until > to_iso8601(now);
    });
}

Result<void> LdapMissStore::remember(const std::string& address, TimePoint until) {
    return guarded("writing LDAP misses", [&]() -> Result<void> {
        const std::string at = to_iso8601(until);
        m_database.session() << "INSERT INTO ldap_misses (address, until_at) VALUES (:a, :u) "
                                "ON CONFLICT (address) DO UPDATE SET until_at = excluded.until_at",
            soci::use(address), soci::use(at);
        return {};
    });
}

Result<void> LdapMissStore::forget(const std::string& address) {
    return guarded("writing LDAP misses", [&]() -> Result<void> {
        m_database.session() << "DELETE FROM ldap_misses WHERE address = :a", soci::use(address);
        return {};
    });
}

}  // namespace casecrypt::store
