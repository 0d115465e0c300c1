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
    int schema_version() const;
    soci::session& session() { return *m_session; }

private:
    Database(Backend backend, std::unique_ptr<soci::session> session);
    Result<void> migrate();

    Backend m_backend;
    std::unique_ptr<soci::session> m_session;
};

}  // namespace casecrypt::store
