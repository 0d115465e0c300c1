#include "web/ui_routes.h"

#include <string>

#include "web/api.h"
#include "web/ui_assets.h"

namespace casecrypt::web {

void add_ui_routes(httplib::Server& server) {
    server.Get(R"(/(?!api(/|$)).*)",
               [](const httplib::Request& request, httplib::Response& response) {
                   const UiAsset* asset = find_ui_asset(request.path);
                   if (asset == nullptr) {
                       send_error(response, 404, "no such page");
                       return;
                   }
                   response.set_content(std::string(asset->body), std::string(asset->content_type));
               });
}

}  // namespace casecrypt::web
