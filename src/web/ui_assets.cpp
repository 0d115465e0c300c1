#include "web/ui_assets.h"

namespace casecrypt::web {

const UiAsset* find_ui_asset(std::string_view path) {
    if (path == "/")
        path = "/index.html";
    for (const auto& [url, asset] : ui_asset_table()) {
        if (url == path)
            return &asset;
    }
    return nullptr;
}

}  // namespace casecrypt::web
