// /api/backups: the email backups: list, retry, raw download, delete. Thin: parse, call a service,
// serialise (docs/api.md).
#pragma once

#include "web/api.h"

namespace casecrypt::web {

void add_backup_routes(ApiRoutes& routes);

}  // namespace casecrypt::web
