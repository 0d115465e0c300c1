// store::guarded: runs a store operation and turns a database (SOCI) exception into Errc::io
// naming what was being done. The one place database exceptions become casecrypt::Error.
#pragma once

#include <exception>
#include <string>

#include "core/error.h"

namespace casecrypt::store {

template <typename F>
auto guarded(const std::string& context, F&& operation) -> decltype(operation()) {
    try {
        return operation();
    } catch (const std::exception& e) {
        std::string reason = e.what();
        while (!reason.empty() && (reason.back() == '\n' || reason.back() == ' ')) {
            reason.pop_back();
        }
        return fail(Errc::io, "database error while " + context + ": " + reason);
    }
}

}  // namespace casecrypt::store
