#include "web/backup_routes.h"

#include "services/view_json.h"

namespace casecrypt::web {
namespace {

void list(ApiCall& call) {
    auto backups = call.installation.incoming().backups();
    if (!backups)
        return send_error(call.response, backups.error());
    nlohmann::json out = nlohmann::json::array();
    for (const auto& b : *backups)
        out.push_back(services::backup_json(b));
    send_json(call.response, out);
}

void retry(ApiCall& call) {
    auto id = id_parameter(call.request);
    if (!id)
        return send_error(call.response, id.error());
    auto outcome = call.installation.incoming().retry_backup(*id, call.actor());
    if (!outcome)
        return send_error(call.response, outcome.error());
    const auto& o = *outcome;
    send_json(call.response,
              {{"id", o.incoming_id},
               {"outcome", services::to_string(o.outcome)},
               {"filed", o.filed()},
               {"ticket", o.filed() ? nlohmann::json(o.ticket) : nlohmann::json(nullptr)},
               {"cause", o.cause}});
}

// The raw mail exactly as fetched, as a file to save (never rendered by the browser).
void raw(ApiCall& call) {
    auto id = id_parameter(call.request);
    if (!id)
        return send_error(call.response, id.error());
    auto bytes = saved_file_bytes(call, [&](const std::filesystem::path& file) -> Result<void> {
        auto done = call.installation.incoming().save_backup(*id, file);
        if (!done)
            return std::unexpected(done.error());
        return {};
    });
    if (!bytes)
        return send_error(call.response, bytes.error());
    call.response.set_header("Content-Disposition",
                             "attachment; filename=\"backup-" + std::to_string(*id) + ".eml\"");
    call.response.set_content(std::move(*bytes), "application/octet-stream");
}

void remove(ApiCall& call) {
    auto id = id_parameter(call.request);
    if (!id)
        return send_error(call.response, id.error());
    if (auto done = call.installation.incoming().delete_backup(*id, call.actor()); !done)
        return send_error(call.response, done.error());
    send_json(call.response, {{"id", *id}, {"deleted", true}});
}

}  // namespace

void add_backup_routes(ApiRoutes& routes) {
    routes.get("/api/backups", Access::admin, list);
    routes.post(R"(/api/backups/(\d+)/retry)", Access::admin, retry);
    routes.get(R"(/api/backups/(\d+)/raw)", Access::admin, raw);
    routes.del(R"(/api/backups/(\d+))", Access::admin, remove);
}

}  // namespace casecrypt::web
