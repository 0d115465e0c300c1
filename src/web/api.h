// What every route of the JSON API shares: the call a handler gets (the request, the answer,
// this thread's Installation, who is calling), how a route says who may call it, and the one
// mapping of services' errors to HTTP statuses and {"error": sentence} bodies (docs/api.md).
// Handlers run on the server's worker threads; an ApiCall belongs to one request.
#pragma once

#include <httplib.h>

#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "core/error.h"
#include "services/installation.h"
#include "services/sessions.h"

namespace casecrypt::web {

// Who may call a route. Every /api route but the login needs a session; `password_change`
// routes are the only ones a user who must change the password may call.
enum class Access {
    anyone,           // no session needed (POST /api/session)
    password_change,  // any session, even one that must change its password first
    engineer,         // engineers and admins
    admin,            // admins only
};

struct ApiCall {
    const httplib::Request& request;
    httplib::Response& response;
    services::Installation& installation;
    const services::SessionView* session;  // null for Access::anyone
    bool tls = false;
    // Who is asking: the TCP peer, or what a trusted reverse proxy says (WebServerOptions).
    std::string client_address;

    // The name the audit log records for changes made in this call: the login.
    std::string actor() const { return session != nullptr ? session->login : std::string(); }
};

using ApiHandler = std::function<void(ApiCall&)>;

// How each *_routes file registers its routes (patterns are httplib regexes, e.g.
// R"(/api/certificates/(\d+))"); WebServer wraps each handler with the session, CSRF and role
// checks and the error mapping.
class ApiRoutes {
public:
    virtual ~ApiRoutes() = default;
    virtual void get(const std::string& pattern, Access access, ApiHandler handler) = 0;
    virtual void post(const std::string& pattern, Access access, ApiHandler handler) = 0;
    virtual void put(const std::string& pattern, Access access, ApiHandler handler) = 0;
    virtual void del(const std::string& pattern, Access access, ApiHandler handler) = 0;
};

// The HTTP status of a services error: usage 400, denied 403 (401 is said where the session is
// missing), not_found 404, conflict 409, rejected 422, throttled 429, io and internal 500.
int status_for(Errc code);
// {"error": sentence} with status_for(error.code()); an internal error's sentence goes to the
// log and the client gets a generic one.
void send_error(httplib::Response& response, const Error& error);
void send_error(httplib::Response& response, int status, const std::string& sentence);
void send_json(httplib::Response& response, const nlohmann::json& body, int status = 200);

// The bytes a service writes into a file (an attachment, a kept raw mail), through a scratch
// file under the installation's work directory that is removed afterwards. `save` writes the
// file it is given.
Result<std::string> saved_file_bytes(
    ApiCall& call, const std::function<Result<void>(const std::filesystem::path&)>& save);

// The request's JSON object; Errc::usage "the body is not a JSON object: ..." otherwise.
Result<nlohmann::json> json_body(const httplib::Request& request);
// A string member; nullopt when absent; Errc::usage when it is not a string.
Result<std::optional<std::string>> json_string(const nlohmann::json& body, const char* name);
// Like json_string, but absent is Errc::usage "NAME is missing".
Result<std::string> required_string(const nlohmann::json& body, const char* name);
// A path parameter of the route's regex as a positive number; Errc::usage otherwise.
Result<long long> id_parameter(const httplib::Request& request, std::size_t index = 1);

}  // namespace casecrypt::web

namespace casecrypt::web {

// The cookie that carries the session token (HttpOnly, SameSite=Strict, Path=/, Secure under
// TLS; docs/api.md).
inline constexpr const char* kSessionCookie = "casecrypt_session";
// The value of one cookie of the request's Cookie header; "" when it is not there.
std::string cookie_value(const httplib::Request& request, std::string_view name);

}  // namespace casecrypt::web
