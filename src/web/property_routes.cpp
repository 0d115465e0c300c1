#include "web/property_routes.h"

#include "services/page_customizations.h"
#include "services/properties.h"
#include "services/view_json.h"

namespace casecrypt::web {
namespace {

// {"value": ...}: a string, or a boolean or number written as the CLI would take it.
Result<std::string> value_of(const httplib::Request& request) {
    auto body = json_body(request);
    if (!body)
        return std::unexpected(body.error());
    auto it = body->find("value");
    if (it == body->end())
        return fail(Errc::usage, "value is missing");
    if (it->is_string())
        return it->get<std::string>();
    if (it->is_boolean())
        return std::string(it->get<bool>() ? "true" : "false");
    if (it->is_number_integer())
        return it->dump();
    return fail(Errc::usage, "value must be a string, a boolean or an integer");
}

void list_properties(ApiCall& call) {
    auto views = call.installation.properties().list();
    if (!views)
        return send_error(call.response, views.error());
    nlohmann::json out = nlohmann::json::array();
    for (const auto& v : *views)
        out.push_back(services::property_json(v));
    send_json(call.response, out);
}

void set_property(ApiCall& call) {
    const std::string module = call.request.matches[1].str();
    const std::string name = call.request.matches[2].str();
    auto value = value_of(call.request);
    if (!value)
        return send_error(call.response, value.error());
    auto& properties = call.installation.properties();
    if (auto set = properties.set(module, name, *value, call.actor()); !set)
        return send_error(call.response, set.error());
    auto view = properties.get(module, name);
    if (!view)
        return send_error(call.response, view.error());
    send_json(call.response, services::property_json(*view));
}

void list_customizations(ApiCall& call) {
    auto views = call.installation.page_customizations().list();
    if (!views)
        return send_error(call.response, views.error());
    nlohmann::json out = nlohmann::json::array();
    for (const auto& v : *views)
        out.push_back(services::page_customization_json(v));
    send_json(call.response, out);
}

void set_customization(ApiCall& call) {
    auto value = value_of(call.request);
    if (!value)
        return send_error(call.response, value.error());
    auto view = call.installation.page_customizations().set(
        call.request.matches[1].str(), call.request.matches[2].str(), *value, call.actor());
    if (!view)
        return send_error(call.response, view.error());
    send_json(call.response, services::page_customization_json(*view));
}

}  // namespace

void add_property_routes(ApiRoutes& routes) {
    routes.get("/api/properties", Access::admin, list_properties);
    routes.put(R"(/api/properties/([^/]+)/([^/]+))", Access::admin, set_property);
    routes.get("/api/page-customizations", Access::admin, list_customizations);
    routes.put(R"(/api/page-customizations/([^/]+)/([^/]+))", Access::admin, set_customization);
}

}  // namespace casecrypt::web
