// /api/accounts: the incoming mailboxes: list, add, test the connection, remove. Thin: parse, call
// a service, serialise (docs/api.md).
#pragma once

#include "web/api.h"

namespace casecrypt::web {

void add_account_routes(ApiRoutes& routes);

}  // namespace casecrypt::web
