// AuditLog: who did what to the configuration and the certificates, for the administrator.
// Details name objects (ids, fingerprints, addresses), never secrets. Not thread-safe.
#pragma once

#include <string>
#include <vector>

#include "core/clock.h"
#include "core/error.h"
#include "store/database.h"

namespace casecrypt::store {

struct AuditEntry {
    long long id = 0;
    std::string at;
    std::string actor;
    std::string action;
    std::string detail;
};

class AuditLog {
public:
    explicit AuditLog(Database& database) : m_database(database) {}

    Result<void> record(TimePoint at, const std::string& actor, const std::string& action,
                        const std::string& detail);
    // Newest first; before_id > 0 starts below that entry (the next page).
    Result<std::vector<AuditEntry>> recent(int limit, long long before_id = 0);

private:
    Database& m_database;
};

}  // namespace casecrypt::store
