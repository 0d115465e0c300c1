// /api/tickets: the ticket list, a ticket's history and sending a reply (the Ticket Email
// Editor). Thin: parse, call a service, serialise (docs/api.md).
#pragma once

#include "web/api.h"

namespace casecrypt::web {

void add_ticket_routes(ApiRoutes& routes);

}  // namespace casecrypt::web
