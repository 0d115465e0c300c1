// GET /api/attachments/{id}: a ticket mail's attachment as a download (never shown as a page of
// ours: Content-Disposition attachment, a harmless declared type or application/octet-stream).
#pragma once

#include "web/api.h"

namespace casecrypt::web {

void add_attachment_routes(ApiRoutes& routes);

}  // namespace casecrypt::web
