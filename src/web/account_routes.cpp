#include "web/account_routes.h"

#include "services/view_json.h"

namespace casecrypt::web {
namespace {

void list(ApiCall& call) {
    auto accounts = call.installation.accounts().list();
    if (!accounts)
        return send_error(call.response, accounts.error());
    nlohmann::json out = nlohmann::json::array();
    for (const auto& a : *accounts)
        out.push_back(services::account_json(a));
    send_json(call.response, out);
}

void add(ApiCall& call) {
    auto body = json_body(call.request);
    if (!body)
        return send_error(call.response, body.error());
    auto name = required_string(*body, "name");
    auto url = required_string(*body, "url");
    auto user = json_string(*body, "user");
    auto password = json_string(*body, "password");
    for (const auto* field : {&name, &url}) {
        if (!*field)
            return send_error(call.response, field->error());
    }
    for (const auto* field : {&user, &password}) {
        if (!*field)
            return send_error(call.response, field->error());
    }
    auto added = call.installation.accounts().add(*name, *url, user->value_or(""),
                                                  Secret(password->value_or("")), call.actor());
    if (!added)
        return send_error(call.response, added.error());
    send_json(call.response, services::account_json(*added), 201);
}

// The connection test: a mailbox that cannot be read is an answer ({"ok": false, "error"}),
// not an API error.
void test(ApiCall& call) {
    const std::string name = call.request.matches[1].str();
    auto tested = call.installation.accounts().test(name);
    if (!tested && tested.error().code() == Errc::not_found)
        return send_error(call.response, tested.error());
    if (!tested) {
        return send_json(call.response,
                         {{"name", name}, {"ok", false}, {"error", tested.error().message()}});
    }
    send_json(call.response, {{"name", name}, {"ok", true}, {"messages", *tested}});
}

void remove(ApiCall& call) {
    const std::string name = call.request.matches[1].str();
    if (auto done = call.installation.accounts().remove(name, call.actor()); !done)
        return send_error(call.response, done.error());
    send_json(call.response, {{"name", name}, {"removed", true}});
}

}  // namespace

void add_account_routes(ApiRoutes& routes) {
    routes.get("/api/accounts", Access::admin, list);
    routes.post("/api/accounts", Access::admin, add);
    routes.post(R"(/api/accounts/([^/]+)/test)", Access::admin, test);
    routes.del(R"(/api/accounts/([^/]+))", Access::admin, remove);
}

}  // namespace casecrypt::web
