// /api/users: list, add, set a password, remove. Thin: parse, call a service, serialise
// (docs/api.md).
#pragma once

#include "web/api.h"

namespace casecrypt::web {

void add_user_routes(ApiRoutes& routes);

}  // namespace casecrypt::web
