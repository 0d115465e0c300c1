// /api/audit: the audit log, newest first. Thin: parse, call a service, serialise (docs/api.md).
#pragma once

#include "web/api.h"

namespace casecrypt::web {

void add_audit_routes(ApiRoutes& routes);

}  // namespace casecrypt::web
