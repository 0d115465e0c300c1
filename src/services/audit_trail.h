// AuditTrail: the audit log as the admin tool shows it, newest first. Writing goes through the
// services that make changes (each records its own entries with the actor); this reads. Not
// thread-safe.
#pragma once

#include <string>
#include <vector>

#include "core/clock.h"
#include "core/error.h"

namespace casecrypt::store {
class AuditLog;
}

namespace casecrypt::services {

struct AuditEntryView {
    long long id = 0;
    std::string at;  // ISO 8601 UTC
    std::string actor;
    std::string action;
    std::string detail;
};

class AuditTrail {
public:
    explicit AuditTrail(store::AuditLog& log) : m_log(log) {}
    // At most `limit` (1..1000) entries, newest first; before_id > 0 pages back.
    Result<std::vector<AuditEntryView>> recent(int limit, long long before_id = 0);

private:
    store::AuditLog& m_log;
};

}  // namespace casecrypt::services
