// /api/outbox: list the outgoing copies, retry one. Thin: parse, call a service, serialise
// (docs/api.md).
#pragma once

#include "web/api.h"

namespace casecrypt::web {

void add_outbox_routes(ApiRoutes& routes);

}  // namespace casecrypt::web
