#include "web/session_routes.h"

#include <regex>

#include "services/page_customizations.h"
#include "services/properties.h"

namespace casecrypt::web {
namespace {

nlohmann::json session_json(const services::SessionView& session) {
    return {{"login", session.login},
            {"role", services::to_string(session.role)},
            {"csrf_token", session.csrf_token},
            {"must_change_password", session.must_change_password}};
}

std::string session_cookie(const std::string& token, bool tls, bool clear = false) {
    std::string cookie = std::string(kSessionCookie) + "=" + (clear ? "" : token) +
                         "; HttpOnly; SameSite=Strict; Path=/";
    if (clear)
        cookie += "; Max-Age=0";
    if (tls)
        cookie += "; Secure";
    return cookie;
}

// "... try again in 8 s": the seconds for Retry-After (60 when the sentence names none).
std::string retry_after(const std::string& sentence) {
    static const std::regex seconds(R"((\d+) ?s\b)");
    std::smatch match;
    if (std::regex_search(sentence, match, seconds))
        return match[1].str();
    return "60";
}

void login(ApiCall& call) {
    auto body = json_body(call.request);
    if (!body)
        return send_error(call.response, body.error());
    auto login = required_string(*body, "login");
    auto password = required_string(*body, "password");
    if (!login)
        return send_error(call.response, login.error());
    if (!password)
        return send_error(call.response, password.error());
    auto session = call.installation.sessions().login(*login, Secret(std::move(*password)),
                                                      call.request.remote_addr);
    if (!session) {
        if (session.error().code() == Errc::throttled) {
            call.response.set_header("Retry-After", retry_after(session.error().message()));
        }
        if (session.error().code() == Errc::denied)
            return send_error(call.response, 401, session.error().message());
        return send_error(call.response, session.error());
    }
    call.response.set_header("Set-Cookie",
                             session_cookie(std::string(session->token.reveal()), call.tls));
    send_json(call.response, session_json(session->session));
}

void logout(ApiCall& call) {
    const Secret token(cookie_value(call.request, kSessionCookie));
    if (auto done = call.installation.sessions().logout(token); !done)
        return send_error(call.response, done.error());
    call.response.set_header("Set-Cookie", session_cookie("", call.tls, true));
    send_json(call.response, {{"logged_out", true}});
}

// The first-login change (the one-time password) and any later one. The current password is
// needed, except right after a login that must change it (that login just proved it).
void change_password(ApiCall& call) {
    auto body = json_body(call.request);
    if (!body)
        return send_error(call.response, body.error());
    auto current = json_string(*body, "current_password");
    auto next = required_string(*body, "new_password");
    if (!current)
        return send_error(call.response, current.error());
    if (!next)
        return send_error(call.response, next.error());
    const std::string& login = call.session->login;
    auto& users = call.installation.users();
    if (*current || !call.session->must_change_password) {
        if (!*current)
            return send_error(call.response, 400, "current_password is missing");
        if (auto ok = users.verify(login, Secret(std::move(**current))); !ok) {
            if (ok.error().code() == Errc::denied)
                return send_error(call.response, 403, "the current password is wrong");
            return send_error(call.response, ok.error());
        }
    }
    if (auto set = users.set_password(login, Secret(std::move(*next)), call.actor()); !set)
        return send_error(call.response, set.error());
    // Other sessions of this user end; this one goes on.
    const Secret token(cookie_value(call.request, kSessionCookie));
    if (auto ended = call.installation.sessions().end_all_of(login, &token); !ended)
        return send_error(call.response, ended.error());
    auto session = call.installation.sessions().find(token);
    if (!session)
        return send_error(call.response, session.error());
    send_json(call.response, session_json(*session));
}

// What the Ticket Email Editor shows: the "Send encrypted" checkbox only when mail.encryption
// and the page customization mailEncryptionAvailable are both true (then checked by default).
void editor(ApiCall& call) {
    auto encryption =
        call.installation.properties().get_bool(services::kCoreModule, services::kMailEncryption);
    if (!encryption)
        return send_error(call.response, encryption.error());
    auto available = call.installation.page_customizations().get_bool(
        services::kMailTemplate, services::kMailEncryptionAvailable);
    if (!available)
        return send_error(call.response, available.error());
    send_json(call.response, {{"mail_encryption", *encryption},
                              {"encryption_available", *encryption && *available},
                              {"encrypt_default", *encryption},
                              {"signing", false}});
}

}  // namespace

void add_session_routes(ApiRoutes& routes) {
    routes.post("/api/session", Access::anyone, login);
    routes.get("/api/session", Access::password_change,
               [](ApiCall& call) { send_json(call.response, session_json(*call.session)); });
    routes.del("/api/session", Access::password_change, logout);
    routes.put("/api/session/password", Access::password_change, change_password);
    routes.get("/api/editor", Access::engineer, editor);
}

}  // namespace casecrypt::web
