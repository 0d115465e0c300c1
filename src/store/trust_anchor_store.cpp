#include "store/trust_anchor_store.h"

#include <soci/soci.h>

#include "core/base64.h"
#include "core/iso_time.h"
#include "store/guarded.h"

namespace casecrypt::store {

Result<long long> TrustAnchorStore::insert(const TrustAnchorRecord& r, bool& already_present) {
    return guarded("storing a trust anchor", [&]() -> Result<long long> {
        soci::session& sql = m_database.session();
        long long id = 0;
        sql << "SELECT id FROM trust_anchors WHERE fingerprint_sha256 = :fp",
            soci::use(r.fingerprint_sha256), soci::into(id);
        already_present = sql.got_data();
        if (already_present) {
            return id;
        }
        const std::string not_after = to_iso8601(r.not_after);
        const std::string created_at = to_iso8601(r.created_at);
        const std::string der = base64_encode(r.der);
        sql << "INSERT INTO trust_anchors (subject, fingerprint_sha256, not_after, der_base64, "
               "created_at, created_by) VALUES (:s, :fp, :na, :der, :ca, :cb) RETURNING id",
            soci::use(r.subject), soci::use(r.fingerprint_sha256), soci::use(not_after),
            soci::use(der), soci::use(created_at), soci::use(r.created_by), soci::into(id);
        return id;
    });
}

Result<std::vector<TrustAnchorRecord>> TrustAnchorStore::list() {
    return guarded("reading trust anchors", [&]() -> Result<std::vector<TrustAnchorRecord>> {
        std::vector<TrustAnchorRecord> out;
        TrustAnchorRecord r;
        std::string not_after, der, created_at;
        soci::statement statement =
            (m_database.session().prepare
                 << "SELECT id, subject, fingerprint_sha256, not_after, der_base64, created_at, "
                    "created_by FROM trust_anchors ORDER BY id",
             soci::into(r.id), soci::into(r.subject), soci::into(r.fingerprint_sha256),
             soci::into(not_after), soci::into(der), soci::into(created_at),
             soci::into(r.created_by));
        statement.execute();
        while (statement.fetch()) {
            TrustAnchorRecord record = r;
            record.not_after = from_iso8601(not_after).value_or(TimePoint{});
            record.der = base64_decode(der).value_or("");
            record.created_at = from_iso8601(created_at).value_or(TimePoint{});
            out.push_back(std::move(record));
        }
        return out;
    });
}

}  // namespace casecrypt::store
