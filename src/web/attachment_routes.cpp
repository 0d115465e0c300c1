#include "web/attachment_routes.h"

#include <algorithm>
#include <cctype>
#include <optional>

#include "core/text.h"

namespace casecrypt::web {
namespace {

// Types a browser may show as themselves; anything else is served as bytes to save.
constexpr std::string_view kHarmlessTypes[] = {"image/png",  "image/jpeg",      "image/gif",
                                               "image/webp", "application/pdf", "text/plain"};

// RFC 6266: an ASCII fallback name and the UTF-8 one, percent-encoded.
std::string content_disposition(const std::string& name) {
    std::string ascii, encoded;
    for (unsigned char c : name) {
        const bool plain = std::isalnum(c) || c == '.' || c == '-' || c == '_';
        ascii += plain || c == ' ' ? static_cast<char>(c) : '_';
        if (plain) {
            encoded += static_cast<char>(c);
        } else {
            static const char kHex[] = "0123456789ABCDEF";
            encoded += '%';
            encoded += kHex[c >> 4];
            encoded += kHex[c & 15];
        }
    }
    if (ascii.empty())
        ascii = encoded = "attachment";
    return "attachment; filename=\"" + ascii + "\"; filename*=UTF-8''" + encoded;
}

void attachment(ApiCall& call) {
    auto id = id_parameter(call.request);
    if (!id)
        return send_error(call.response, id.error());
    std::optional<services::SavedAttachment> saved;
    auto bytes = saved_file_bytes(call, [&](const std::filesystem::path& file) -> Result<void> {
        auto done = call.installation.tickets().save_attachment(*id, file);
        if (!done)
            return std::unexpected(done.error());
        saved = std::move(*done);
        return {};
    });
    if (!bytes)
        return send_error(call.response, bytes.error());
    std::string type = to_lower_ascii(saved->content_type);
    if (auto semicolon = type.find(';'); semicolon != std::string::npos)
        type.resize(semicolon);
    if (std::find(std::begin(kHarmlessTypes), std::end(kHarmlessTypes), type) ==
        std::end(kHarmlessTypes)) {
        type = "application/octet-stream";
    }
    call.response.set_header("Content-Disposition", content_disposition(saved->name));
    call.response.set_header("Content-Security-Policy", "default-src 'none'; sandbox");
    call.response.set_content(std::move(*bytes), type);
}

}  // namespace

void add_attachment_routes(ApiRoutes& routes) {
    routes.get(R"(/api/attachments/(\d+))", Access::engineer, attachment);
}

}  // namespace casecrypt::web
