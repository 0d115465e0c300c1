#include "transport/smtp_url.h"

#include <algorithm>

#include "transport/curl_ptr.h"

namespace casecrypt::transport {

namespace {

// One part of the URL, or nothing when it is absent.
std::string url_part(CURLU* url, CURLUPart part) {
    char* raw = nullptr;
    if (curl_url_get(url, part, &raw, 0) != CURLUE_OK) {
        return {};
    }
    CurlStringPtr owned(raw);
    return owned ? std::string(owned.get()) : std::string();
}

bool has_control_character(const std::string& s) {
    return std::any_of(s.begin(), s.end(), [](char c) {
        const auto u = static_cast<unsigned char>(c);
        return u < 0x20 || u == 0x7f;
    });
}

}  // namespace

Result<std::string> smtp_transfer_url(const SmtpSettings& settings) {
    CurlUrlPtr url(curl_url());
    if (!url) {
        return fail(Errc::internal, "out of memory parsing the SMTP URL");
    }
    if (curl_url_set(url.get(), CURLUPART_URL, settings.url.c_str(), 0) != CURLUE_OK) {
        return fail(Errc::usage, "the SMTP URL is not a valid URL");
    }
    const std::string scheme = url_part(url.get(), CURLUPART_SCHEME);
    if (scheme != "smtp" && scheme != "smtps") {
        return fail(Errc::usage, "the SMTP URL must start with smtp:// or smtps://");
    }
    if (url_part(url.get(), CURLUPART_HOST).empty()) {
        return fail(Errc::usage, "the SMTP URL has no host");
    }
    if (!url_part(url.get(), CURLUPART_USER).empty() ||
        !url_part(url.get(), CURLUPART_PASSWORD).empty()) {
        return fail(Errc::usage,
                    "the SMTP URL holds credentials: set the user and password settings instead");
    }
    const std::string path = url_part(url.get(), CURLUPART_PATH);
    if (path.empty() || path == "/") {
        if (settings.helo_name.empty() || has_control_character(settings.helo_name)) {
            return fail(Errc::usage, "the HELO name is empty or holds a control character");
        }
        const std::string helo_path = "/" + settings.helo_name;
        if (curl_url_set(url.get(), CURLUPART_PATH, helo_path.c_str(), CURLU_URLENCODE) !=
            CURLUE_OK) {
            return fail(Errc::usage, "the HELO name cannot be put into the SMTP URL");
        }
    }
    std::string full = url_part(url.get(), CURLUPART_URL);
    if (full.empty()) {
        return fail(Errc::internal, "cannot rebuild the SMTP URL");
    }
    return full;
}

}  // namespace casecrypt::transport
