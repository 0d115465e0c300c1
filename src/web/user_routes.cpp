#include "web/user_routes.h"

#include "core/iso_time.h"

namespace casecrypt::web {
namespace {

// Never a password or its hash.
nlohmann::json user_json(const services::UserView& u) {
    return {{"login", u.login},
            {"role", services::to_string(u.role)},
            {"must_change_password", u.must_change_password},
            {"created", to_iso8601(u.created)},
            {"created_by", u.created_by},
            {"last_login",
             u.last_login ? nlohmann::json(to_iso8601(*u.last_login)) : nlohmann::json(nullptr)}};
}

void list(ApiCall& call) {
    auto users = call.installation.users().list();
    if (!users)
        return send_error(call.response, users.error());
    nlohmann::json out = nlohmann::json::array();
    for (const auto& u : *users)
        out.push_back(user_json(u));
    send_json(call.response, out);
}

void add(ApiCall& call) {
    auto body = json_body(call.request);
    if (!body)
        return send_error(call.response, body.error());
    auto login = required_string(*body, "login");
    auto role_word = required_string(*body, "role");
    auto password = required_string(*body, "password");
    for (const auto* field : {&login, &role_word, &password}) {
        if (!*field)
            return send_error(call.response, field->error());
    }
    auto role = services::parse_role(*role_word);
    if (!role)
        return send_error(call.response, role.error());
    auto added =
        call.installation.users().add(*login, *role, Secret(std::move(*password)), call.actor());
    if (!added)
        return send_error(call.response, added.error());
    send_json(call.response, user_json(*added), 201);
}

// An admin sets another user's password (that user must change it at the next login); the
// user's sessions end.
void set_password(ApiCall& call) {
    const std::string login = call.request.matches[1].str();
    auto body = json_body(call.request);
    if (!body)
        return send_error(call.response, body.error());
    auto password = required_string(*body, "password");
    if (!password)
        return send_error(call.response, password.error());
    auto& users = call.installation.users();
    if (auto set = users.set_password(login, Secret(std::move(*password)), call.actor()); !set)
        return send_error(call.response, set.error());
    const Secret keep(cookie_value(call.request, kSessionCookie));
    if (auto ended = call.installation.sessions().end_all_of(login, &keep); !ended)
        return send_error(call.response, ended.error());
    auto user = users.get(login);
    if (!user)
        return send_error(call.response, user.error());
    send_json(call.response, user_json(*user));
}

// PUT /api/users/{login}/role {"role": "admin"|"engineer"}: 409 for the last admin.
void set_role(ApiCall& call) {
    const std::string login = call.request.matches[1].str();
    auto body = json_body(call.request);
    if (!body)
        return send_error(call.response, body.error());
    auto word = required_string(*body, "role");
    if (!word)
        return send_error(call.response, word.error());
    auto role = services::parse_role(*word);
    if (!role)
        return send_error(call.response, role.error());
    auto user = call.installation.users().set_role(login, *role, call.actor());
    if (!user)
        return send_error(call.response, user.error());
    send_json(call.response, user_json(*user));
}

void remove(ApiCall& call) {
    const std::string login = call.request.matches[1].str();
    if (auto done = call.installation.users().remove(login, call.actor()); !done)
        return send_error(call.response, done.error());
    if (auto ended = call.installation.sessions().end_all_of(login); !ended)
        return send_error(call.response, ended.error());
    send_json(call.response, {{"login", login}, {"removed", true}});
}

}  // namespace

void add_user_routes(ApiRoutes& routes) {
    routes.get("/api/users", Access::admin, list);
    routes.post("/api/users", Access::admin, add);
    routes.put(R"(/api/users/([^/]+)/password)", Access::admin, set_password);
    routes.put(R"(/api/users/([^/]+)/role)", Access::admin, set_role);
    routes.del(R"(/api/users/([^/]+))", Access::admin, remove);
}

}  // namespace casecrypt::web
