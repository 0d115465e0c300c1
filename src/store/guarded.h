// store::guarded: runs a store operation and turns a database (SOCI) exception into Errc::io
// naming what was being done. The one place database exceptions become casecrypt::Error.
#pragma once

#include <exception>
#include <string>

#include "core/error.h"
#include "store/database.h"

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

// Runs `operation` (returning a Result) in one transaction, joining an enclosing one: committed
// when it succeeds, rolled back when it fails or throws. For services that must make several
// stores' writes one unit (file a mail and mark it filed; queue a mail and record it).
template <typename F>
auto in_transaction(Database& database, const std::string& context, F&& operation)
    -> decltype(operation()) {
    return guarded(context, [&]() -> decltype(operation()) {
        Transaction transaction(database);
        auto result = operation();
        if (result) {
            transaction.commit();
        }
        return result;
    });
}

}  // namespace casecrypt::store
