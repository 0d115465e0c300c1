// The pages (src/web/ui: HTML, CSS, JavaScript) embedded in the binary at build time by
// src/web/embed_ui.cmake, so `casecrypt serve` needs no files beside it and nothing to build
// for the browser. Read-only data; thread-safe.
#pragma once

#include <string_view>
#include <utility>
#include <vector>

namespace casecrypt::web {

struct UiAsset {
    std::string_view content_type;  // e.g. "text/html; charset=utf-8"
    std::string_view body;
};

// The asset served at `path` ("/" is "/index.html"); nullptr when there is none.
const UiAsset* find_ui_asset(std::string_view path);

// Every embedded file by its path (generated).
const std::vector<std::pair<std::string_view, UiAsset>>& ui_asset_table();

}  // namespace casecrypt::web
