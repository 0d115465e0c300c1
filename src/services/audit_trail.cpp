#include "services/audit_trail.h"

#include "store/audit_log.h"

namespace casecrypt::services {

Result<std::vector<AuditEntryView>> AuditTrail::recent(int limit, long long before_id) {
    if (limit < 1 || limit > 1000)
        return fail(Errc::usage, "an audit page holds 1 to 1000 entries");
    auto entries = m_log.recent(limit, before_id);
    if (!entries)
        return std::unexpected(entries.error());
    std::vector<AuditEntryView> out;
    out.reserve(entries->size());
    for (const auto& e : *entries)
        out.push_back(
            {.id = e.id, .at = e.at, .actor = e.actor, .action = e.action, .detail = e.detail});
    return out;
}

}  // namespace casecrypt::services
