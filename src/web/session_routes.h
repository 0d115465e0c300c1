// POST|GET|DELETE /api/session and PUT /api/session/password: logging in and out, the first-login
// password change, the editor's switches (GET /api/editor). Thin: parse, call a service, serialise
// (docs/api.md).
#pragma once

#include "web/api.h"

namespace casecrypt::web {

void add_session_routes(ApiRoutes& routes);

}  // namespace casecrypt::web
