#include "web/message_routes.h"

#include <string>

namespace casecrypt::web {
namespace {

// The sanitised HTML of a received mail, as a page of its own for a sandboxed iframe: no
// script, no remote anything (images only as data: URIs), no forms, no navigation (a link's
// target is a new window the sandbox does not allow: the page shows the link's target and
// opens it only after a click there).
constexpr const char* kMessageContentSecurityPolicy =
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox; "
    "frame-ancestors 'self'";

void message_html(ApiCall& call) {
    auto id = id_parameter(call.request);
    if (!id)
        return send_error(call.response, id.error());
    auto found = call.installation.tickets().message(*id);
    if (!found)
        return send_error(call.response, found.error());
    const auto& message = found->second;
    if (!message.html)
        return send_error(call.response, 404, "message " + std::to_string(*id) + " has no HTML");
    call.response.set_header("Content-Security-Policy", kMessageContentSecurityPolicy);
    call.response.set_header("X-Frame-Options", "SAMEORIGIN");
    call.response.set_content(
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><base target=\"_blank\">"
        "<title>message</title></head>\n<body>\n" +
            *message.html + "\n</body></html>\n",
        "text/html; charset=utf-8");
}

}  // namespace

void add_message_routes(ApiRoutes& routes) {
    routes.get(R"(/api/messages/(\d+)/html)", Access::engineer, message_html);
}

}  // namespace casecrypt::web
