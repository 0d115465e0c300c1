// GET /api/messages/{id}/html: the sanitised HTML of a received mail as a document of its own,
// for a sandboxed iframe, with its own Content-Security-Policy (docs/api.md). Thin: parse, call
// a service, serialise.
#pragma once

#include "web/api.h"

namespace casecrypt::web {

void add_message_routes(ApiRoutes& routes);

}  // namespace casecrypt::web
