// store::guarded: runs a store operation and turns a database (SOCI) exception into Errc::io
// naming what was being done. The one place database exceptions become casecrypt::Error.
#pragma once

#include <exception>
#include <string>

#include "core/error.h"
#include "store/database.h"

namespace casecrypt::store {

// Errc::io "database error while <context>: <reason>" on one line. For a SOCI exception the
// reason is the database's own message without the SQL statement SOCI appends to it (a whole
// migration for a read-only file), and PostgreSQL's "ERROR: ...\nDETAIL: ...\nHINT: ..." lines
// are folded into one (core/text.h fold_lines).
Error database_error(const std::string& context, const std::exception& exception);

template <typename F>
auto guarded(const std::string& context, F&& operation) -> decltype(operation()) {
    try {
        return operation();
    } catch (const std::exception& e) {
        return std::unexpected(database_error(context, e));
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
