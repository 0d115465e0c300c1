// Owning handles for libcurl (STYLE.md rule 4), and the one place that initialises libcurl.
// Only src/transport includes this; <curl/curl.h> stays inside this folder (rule 3).
#pragma once

#include <curl/curl.h>

#include <memory>

#include "core/error.h"

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

}  // namespace casecrypt::transport
