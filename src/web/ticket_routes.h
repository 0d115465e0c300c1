// /api/tickets, /api/messages/{id}/html, /api/attachments/{id}: the ticket history, the sanitised
// mail view and sending a reply. Thin: parse, call a service, serialise (docs/api.md).
#pragma once

#include "web/api.h"

namespace casecrypt::web {

void add_ticket_routes(ApiRoutes& routes);

}  // namespace casecrypt::web
