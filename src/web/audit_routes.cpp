#include "web/audit_routes.h"

#include <charconv>

namespace casecrypt::web {
namespace {

Result<long long> number_param(const httplib::Request& request, const char* name,
                               long long fallback) {
    if (!request.has_param(name))
        return fallback;
    const std::string text = request.get_param_value(name);
    long long value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || value < 0)
        return fail(Errc::usage, std::string(name) + " must be a number");
    return value;
}

}  // namespace

void add_audit_routes(ApiRoutes& routes) {
    // ?limit (1..1000, default 100), ?before (an entry id: the page before it).
    routes.get("/api/audit", Access::admin, [](ApiCall& call) {
        auto limit = number_param(call.request, "limit", 100);
        auto before = number_param(call.request, "before", 0);
        if (!limit)
            return send_error(call.response, limit.error());
        if (!before)
            return send_error(call.response, before.error());
        if (*limit < 1 || *limit > 1000)
            return send_error(call.response, 400, "limit must be 1 to 1000");
        auto entries = call.installation.audit().recent(static_cast<int>(*limit), *before);
        if (!entries)
            return send_error(call.response, entries.error());
        nlohmann::json out = nlohmann::json::array();
        for (const auto& e : *entries) {
            out.push_back({{"id", e.id},
                           {"at", e.at},
                           {"actor", e.actor},
                           {"action", e.action},
                           {"detail", e.detail}});
        }
        send_json(call.response, out);
    });
}

}  // namespace casecrypt::web
