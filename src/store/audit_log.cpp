#include "store/audit_log.h"

#include <soci/soci.h>

#include "core/iso_time.h"
#include "store/guarded.h"

namespace casecrypt::store {

Result<void> AuditLog::record(TimePoint at, const std::string& actor, const std::string& action,
                              const std::string& detail) {
    return guarded("writing the audit log", [&]() -> Result<void> {
        const std::string when = to_iso8601(at);
        m_database.session() << "INSERT INTO audit_log (at, actor, action, detail) "
                                "VALUES (:at, :actor, :action, :detail)",
            soci::use(when), soci::use(actor), soci::use(action), soci::use(detail);
        return {};
    });
}

Result<std::vector<AuditEntry>> AuditLog::recent(int limit, long long before_id) {
    return guarded("reading the audit log", [&]() -> Result<std::vector<AuditEntry>> {
        std::vector<AuditEntry> entries;
        AuditEntry e;
        soci::statement statement =
            (m_database.session().prepare
                 << "SELECT id, at, actor, action, detail FROM "
                    "audit_log WHERE (:before = 0 OR id < :before2) ORDER BY id DESC LIMIT :limit",
             soci::use(before_id), soci::use(before_id), soci::use(limit), soci::into(e.id),
             soci::into(e.at), soci::into(e.actor), soci::into(e.action), soci::into(e.detail));
        statement.execute();
        while (statement.fetch()) {
            entries.push_back(e);
        }
        return entries;
    });
}

}  // namespace casecrypt::store
