// /api/properties and /api/page-customizations: list and set. Thin: parse, call a service,
// serialise (docs/api.md).
#pragma once

#include "web/api.h"

namespace casecrypt::web {

void add_property_routes(ApiRoutes& routes);

}  // namespace casecrypt::web
