// /api/workflows: administrators' scripts (list, add, show, change the script or the period,
// enable, disable, remove, the editor's syntax check, a run by hand, the runs). Thin: parse,
// call services::Workflows (which audits each change with the caller's login), serialise
// (docs/api.md). Admins only.
#pragma once

#include "web/api.h"

namespace casecrypt::web {

void add_workflow_routes(ApiRoutes& routes);

}  // namespace casecrypt::web
