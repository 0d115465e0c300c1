#include "web/outbox_routes.h"

#include "services/view_json.h"

namespace casecrypt::web {

void add_outbox_routes(ApiRoutes& routes) {
    routes.get("/api/outbox", Access::admin, [](ApiCall& call) {
        auto entries = call.installation.outbox().list();
        if (!entries)
            return send_error(call.response, entries.error());
        nlohmann::json out = nlohmann::json::array();
        for (const auto& e : *entries)
            out.push_back(services::outbox_json(e));
        send_json(call.response, out);
    });
    routes.post(R"(/api/outbox/(\d+)/retry)", Access::admin, [](ApiCall& call) {
        auto id = id_parameter(call.request);
        if (!id)
            return send_error(call.response, id.error());
        auto report = call.installation.outbox().retry_now(*id, call.actor());
        if (!report)
            return send_error(call.response, report.error());
        send_json(call.response, services::report_json(*report));
    });
}

}  // namespace casecrypt::web
