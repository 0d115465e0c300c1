// GET of every path outside /api: the embedded pages (web/ui_assets.h); "/" is index.html.
#pragma once

#include <httplib.h>

namespace casecrypt::web {

void add_ui_routes(httplib::Server& server);

}  // namespace casecrypt::web
