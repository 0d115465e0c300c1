// Owning handles for libcurl (STYLE.md rule 4), and the one place that initialises libcurl.
// Only src/transport includes this; <curl/curl.h> stays inside this folder (rule 3).
#pragma once

#include <curl/curl.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>

#include "core/error.h"
#include "core/secret.h"

namespace casecrypt::transport {

template <auto Free>
struct CurlDeleter {
    template <typename T>
    void operator()(T* p) const {
        Free(p);
    }
};

using CurlEasyPtr = std::unique_ptr<CURL, CurlDeleter<curl_easy_cleanup>>;
using CurlSlistPtr = std::unique_ptr<curl_slist, CurlDeleter<curl_slist_free_all>>;
using CurlUrlPtr = std::unique_ptr<CURLU, CurlDeleter<curl_url_cleanup>>;
// Strings libcurl allocates (curl_url_get, curl_easy_escape) go back through curl_free.
using CurlStringPtr = std::unique_ptr<char, CurlDeleter<curl_free>>;

// A new easy handle. The first call runs curl_global_init exactly once for the process:
// curl_global_init is not thread-safe, so workers must not race to call it themselves.
Result<CurlEasyPtr> new_curl_easy();

// Appends to a list owned by `list`; curl_slist_append returns a new head (or null on
// failure, leaving the old list intact), so the owner is re-pointed only on success.
Result<void> curl_slist_push(CurlSlistPtr& list, const char* value);

// The text with every occurrence of the password replaced by "***" (a server could echo what
// it was sent; the password must not reach the outbox, a log or an error). Passwords shorter
// than 3 characters are left alone: scrubbing them would mangle every reply.
std::string without_password(std::string text, const Secret& password);

// How every connection to a mail server (SMTP, IMAP, POP3) is made: the protocols allowed,
// STARTTLS whenever offered (required with require_tls), the CA file, the login, and the
// waits bounded: the connect (greeting and login included), each reply and every stretch of a
// transfer, so a dead server costs about one timeout; an overall CURLOPT_TIMEOUT would instead
// cut off a large message on a slow but working link. No signals (worker threads).
struct CurlConnection {
    const char* protocols;  // "smtp,smtps"
    bool require_tls = false;
    std::filesystem::path ca_file;  // empty: the system's store
    std::string user;               // empty: no login
    const Secret* password = nullptr;
    std::chrono::seconds timeout{30};
    char* error_buffer = nullptr;  // CURL_ERROR_SIZE bytes, or null
};

// The first failing option's code, or CURLE_OK (libcurl copies the strings).
CURLcode set_connection_options(CURL* easy, const CurlConnection& connection);

}  // namespace casecrypt::transport
