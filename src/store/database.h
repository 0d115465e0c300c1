// Database: one connection to the store, SQLite (the embedded default) or PostgreSQL, with the
// versioned schema migrations applied on open (the same migrations for both backends).
//
// URLs: "sqlite:///abs/path.db" or a plain file path for SQLite; "postgresql://..." (a libpq
// connection URI) for PostgreSQL. One Database per thread: a connection is not thread-safe.
// SOCI stays inside src/store: other modules see only this class and the stores built on it.
#pragma once

#include <memory>
#include <string>

#include "core/error.h"

namespace soci {
class session;
}

namespace casecrypt::store {

enum class Backend { sqlite, postgresql };

class Database {
public:
    // Connects and migrates the schema to the newest version. Errc::io when the database
    // cannot be reached, Errc::usage for a URL of an unknown kind.
    static Result<std::unique_ptr<Database>> open(const std::string& url);
    ~Database();
    Database(const Database&) = delete;
    Database& operator=(const Database&) = delete;

    Backend backend() const { return m_backend; }
    // Transactions that nest: the outermost begins and commits, inner ones join it (so a store
    // method that needs atomicity also works inside a caller's transaction). A rollback
    // anywhere rolls back the whole outermost transaction. Use store::Transaction.
    void begin();
    void commit();
    void rollback();
    bool in_transaction() const { return m_depth > 0; }
    int schema_version() const;
    soci::session& session() { return *m_session; }

private:
    Database(Backend backend, std::unique_ptr<soci::session> session);
    Result<void> migrate();

    Backend m_backend;
    std::unique_ptr<soci::session> m_session;
    int m_depth = 0;
    bool m_rollback_only = false;
};

// RAII over Database::begin/commit: rolls back unless commit() was called (an early return or
// an exception). Throws what SOCI throws: use inside store::guarded.
class Transaction {
public:
    explicit Transaction(Database& database) : m_database(database) { m_database.begin(); }
    ~Transaction() {
        if (!m_done) {
            try {
                m_database.rollback();
            } catch (...) {
            }
        }
    }
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;
    void commit() {
        m_done = true;
        m_database.commit();
    }

private:
    Database& m_database;
    bool m_done = false;
};

}  // namespace casecrypt::store
