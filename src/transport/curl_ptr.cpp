#include "transport/curl_ptr.h"

#include <string>

namespace casecrypt::transport {

Result<CurlEasyPtr> new_curl_easy() {
    // A function-local static is initialised once even when threads race to it (C++11).
    static const CURLcode global = curl_global_init(CURL_GLOBAL_DEFAULT);
    if (global != CURLE_OK) {
        return fail(Errc::internal,
                    std::string("cannot initialise libcurl: ") + curl_easy_strerror(global));
    }
    CurlEasyPtr easy(curl_easy_init());
    if (!easy) {
        return fail(Errc::internal, "cannot create a libcurl handle");
    }
    return easy;
}

Result<void> curl_slist_push(CurlSlistPtr& list, const char* value) {
    curl_slist* head = curl_slist_append(list.get(), value);
    if (head == nullptr) {
        return fail(Errc::internal, "out of memory building a libcurl list");
    }
    (void)list.release();  // `head` now owns the old nodes too
    list.reset(head);
    return {};
}

std::string without_password(std::string text, const Secret& password) {
    if (password.size() < 3) {
        return text;
    }
    const std::string_view secret = password.reveal();
    for (auto at = text.find(secret); at != std::string::npos; at = text.find(secret, at)) {
        text.replace(at, secret.size(), "***");
    }
    return text;
}

CURLcode set_connection_options(CURL* easy, const CurlConnection& c) {
    const long timeout = static_cast<long>(c.timeout.count());
    CURLcode rc = CURLE_OK;
    auto want = [&rc](CURLcode r) {
        if (rc == CURLE_OK) {
            rc = r;
        }
    };
    want(curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, c.protocols));
    want(curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L));  // worker threads: no SIGALRM
    if (c.error_buffer != nullptr) {
        want(curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, c.error_buffer));
    }
    // TRY: STARTTLS (POP3: STLS) whenever the server offers it; ALL: refuse to go on in clear.
    want(curl_easy_setopt(easy, CURLOPT_USE_SSL, c.require_tls ? CURLUSESSL_ALL : CURLUSESSL_TRY));
    if (!c.ca_file.empty()) {
        want(curl_easy_setopt(easy, CURLOPT_CAINFO, c.ca_file.c_str()));
    }
    if (!c.user.empty()) {
        want(curl_easy_setopt(easy, CURLOPT_USERNAME, c.user.c_str()));
        // reveal() views the Secret's std::string, so the pointer is NUL-terminated.
        want(curl_easy_setopt(easy, CURLOPT_PASSWORD,
                              c.password != nullptr ? c.password->reveal().data() : ""));
    }
    want(curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT, timeout));
    want(curl_easy_setopt(easy, CURLOPT_SERVER_RESPONSE_TIMEOUT, timeout));
    want(curl_easy_setopt(easy, CURLOPT_LOW_SPEED_LIMIT, 1L));
    want(curl_easy_setopt(easy, CURLOPT_LOW_SPEED_TIME, timeout));
    return rc;
}

}  // namespace casecrypt::transport
