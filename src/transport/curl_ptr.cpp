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

}  // namespace casecrypt::transport
