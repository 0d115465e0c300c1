// Database: one connection to the store, SQLite (the embedded default) or PostgreSQL, with the
// versioned schema migrations (the same for both backends) applied when the database is behind.
//
// URLs: "sqlite:///abs/path.db" or a plain file path for SQLite; "postgresql://..." (a libpq
// connection URI) for PostgreSQL.
//
// Threads: one Database per thread, since a connection is not thread-safe; several Databases
// (threads or processes) may share one database. On SQLite they share the file in WAL mode
// (readers never wait for the writer), every transaction takes the write lock at BEGIN
// (BEGIN IMMEDIATE) and a connection waits up to 30 s for it (busy timeout), so concurrent
// writers queue instead of failing with "database is locked". Opening migrates under a lock (see
// open()), so several may start at once. Server notices (PostgreSQL NOTICE/WARNING) go to the
// debug log, never to stderr.
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
    // Connects and reads the schema version without DDL; a database behind this binary is
    // migrated to the newest version in one transaction, by one process at a time (PostgreSQL
    // advisory lock, SQLite BEGIN IMMEDIATE; the others wait and find it done). Errc::io when
    // the database cannot be reached, Errc::usage for a URL of an unknown kind.
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
    // The newest migration applied; 0 for an empty database.
    int schema_version() const;
    soci::session& session() { return *m_session; }

private:
    Database(Backend backend, std::unique_ptr<soci::session> session);
    Result<void> migrate();
    bool has_schema_table() const;

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
