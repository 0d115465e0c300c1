#include "crypto/openssl_error.h"

#include <openssl/err.h>
#include <openssl/provider.h>

#include <mutex>

namespace casecrypt::crypto {

Error openssl_error(Errc code, const std::string& context) {
    std::string reasons;
    unsigned long e = 0;
    while ((e = ERR_get_error()) != 0) {
        char buffer[256];
        ERR_error_string_n(e, buffer, sizeof buffer);
        // Keep only the human reason: "error:0A000086:SSL routines::certificate verify failed".
        std::string text = buffer;
        const auto pos = text.rfind(':');
        if (pos != std::string::npos && pos + 1 < text.size()) {
            text = text.substr(pos + 1);
        }
        if (reasons.find(text) == std::string::npos) {
            reasons += reasons.empty() ? text : "; " + text;
        }
    }
    return reasons.empty() ? Error(code, context) : Error(code, context + " (" + reasons + ")");
}

void clear_openssl_errors() { ERR_clear_error(); }

Result<void> init_openssl() {
    static std::once_flag once;
    static bool ok = false;
    std::call_once(once, [] {
        // Loading "legacy" explicitly disables the implicit default provider, so load both.
        ok = OSSL_PROVIDER_load(nullptr, "default") != nullptr &&
             OSSL_PROVIDER_load(nullptr, "legacy") != nullptr;
    });
    if (!ok) {
        return std::unexpected(openssl_error(
            Errc::internal, "cannot load OpenSSL's legacy provider (needed for RC2/3DES files)"));
    }
    return {};
}

}  // namespace casecrypt::crypto
