// /api/certificates: list, upload (server PKCS #12, client X.509), show, remove, resolve an
// address. Thin: parse, call a service, serialise (docs/api.md).
#pragma once

#include "web/api.h"

namespace casecrypt::web {

void add_certificate_routes(ApiRoutes& routes);

}  // namespace casecrypt::web
