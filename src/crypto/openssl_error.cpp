#include "crypto/openssl_error.h"

#include <openssl/err.h>
#include <openssl/provider.h>

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

void clear_openssl_errors() {
    ERR_clear_error();
}

namespace {

// The providers live as long as the process; unloading them at exit (before OpenSSL's own
// atexit clean-up, which was registered first) keeps leak checkers quiet about them.
struct Providers {
    OSSL_PROVIDER* default_provider = nullptr;
    OSSL_PROVIDER* legacy_provider = nullptr;
    ~Providers() {
        if (legacy_provider != nullptr)
            OSSL_PROVIDER_unload(legacy_provider);
        if (default_provider != nullptr)
            OSSL_PROVIDER_unload(default_provider);
    }
};

}  // namespace

Result<void> init_openssl() {
    // Loading "legacy" explicitly disables the implicit default provider, so load both.
    static const Providers providers{OSSL_PROVIDER_load(nullptr, "default"),
                                     OSSL_PROVIDER_load(nullptr, "legacy")};
    if (providers.default_provider == nullptr || providers.legacy_provider == nullptr) {
        return std::unexpected(openssl_error(
            Errc::internal, "cannot load OpenSSL's legacy provider (needed for RC2/3DES files)"));
    }
    return {};
}

}  // namespace casecrypt::crypto
