#include "store/database.h"

#include <libpq-fe.h>
#include <soci/postgresql/soci-postgresql.h>
#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>

#include <chrono>
#include <cstdlib>
#include <stdexcept>
#include <string_view>
#include <thread>

#include "core/iso_time.h"
#include "core/log.h"
#include "core/text.h"
#include "store/guarded.h"
#include "store/migrations.h"

namespace casecrypt::store {
namespace {

std::string expand(const std::string& statement, Backend backend) {
    std::string out = statement;
    const std::string id =
        backend == Backend::sqlite ? "INTEGER PRIMARY KEY AUTOINCREMENT" : "BIGSERIAL PRIMARY KEY";
    for (auto pos = out.find("{ID}"); pos != std::string::npos; pos = out.find("{ID}")) {
        out.replace(pos, 4, id);
    }
    return out;
}

// libpq waits for a server without end unless told otherwise: one that accepts the connection
// and never answers would hang every command. The URL's connect_timeout (or PGCONNECT_TIMEOUT)
// wins over this default.
constexpr const char* kDefaultConnectTimeoutSeconds = "10";

// libpq's allocations, owned on the line that gets them (STYLE.md rule 4); only this file uses
// libpq.
struct PqFreeMem {
    void operator()(char* p) const { PQfreemem(p); }
};
struct PqConninfoFree {
    void operator()(PQconninfoOption* p) const { PQconninfoFree(p); }
};

// SOCI 4.0 mangles libpq URIs ("postgresql://...") while looking for its own options, so the
// URI is turned into libpq's keyword form by libpq itself, with the default connect_timeout.
Result<std::string> libpq_keywords(const std::string& url) {
    char* error_text = nullptr;
    const std::unique_ptr<PQconninfoOption, PqConninfoFree> options(
        PQconninfoParse(url.c_str(), &error_text));
    const std::unique_ptr<char, PqFreeMem> error(error_text);
    if (!options) {
        const std::string reason = error ? error.get() : "cannot parse it";
        return fail(Errc::usage, "bad PostgreSQL URL: " + fold_lines(reason));
    }
    std::string out;
    const char* environment_timeout = std::getenv("PGCONNECT_TIMEOUT");
    bool has_timeout = environment_timeout != nullptr && *environment_timeout != '\0';
    for (const PQconninfoOption* o = options.get(); o->keyword != nullptr; ++o) {
        if (o->val == nullptr || *o->val == '\0') {
            continue;
        }
        has_timeout = has_timeout || std::string_view(o->keyword) == "connect_timeout";
        std::string value;
        for (const char* c = o->val; *c != '\0'; ++c) {
            if (*c == '\'' || *c == '\\') {
                value += '\\';
            }
            value += *c;
        }
        out += std::string(out.empty() ? "" : " ") + o->keyword + "='" + value + "'";
    }
    if (!has_timeout) {
        out += std::string(out.empty() ? "" : " ") + "connect_timeout='" +
               kDefaultConnectTimeoutSeconds + "'";
    }
    return out;
}

// libpq prints server notices (NOTICE, WARNING) on stderr by default, where they reach the user
// between a command's lines ("NOTICE: relation ... already exists, skipping"). They are the
// server's business, not the user's: they go to the debug log.
void log_server_notice(void*, const char* message) {
    std::string_view text(message != nullptr ? message : "");
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) {
        text.remove_suffix(1);
    }
    spdlog::debug("PostgreSQL said: {}", text);
}

// WAL: readers never wait for the writer. The mode is stored in the file, so only the first
// open of a new database changes it; changing it needs the file to itself for a moment, and
// SQLite does not wait for that through the busy timeout: when several connections open a new
// database at once, the others are told "database is locked" at once. They wait here instead,
// as long as the busy timeout would.
void use_wal(soci::session& session) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    for (;;) {
        try {
            std::string mode;
            session << "PRAGMA journal_mode", soci::into(mode);
            if (mode != "wal") {
                session << "PRAGMA journal_mode = WAL", soci::into(mode);
            }
            return;
        } catch (const soci::soci_error& error) {
            if (std::string_view(error.what()).find("locked") == std::string_view::npos ||
                std::chrono::steady_clock::now() >= deadline) {
                throw;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
    }
}

int newest_schema_version() {
    return migrations().empty() ? 0 : migrations().back().version;
}

// Arbitrary, fixed: the key of the session advisory lock every casecrypt process takes to migrate.
constexpr long long kMigrationLockKey = 7261001;

}  // namespace

Database::Database(Backend backend, std::unique_ptr<soci::session> session)
    : m_backend(backend), m_session(std::move(session)) {}

Database::~Database() = default;

Result<std::unique_ptr<Database>> Database::open(const std::string& url) {
    Backend backend = Backend::sqlite;
    std::string target = url;
    if (url.starts_with("postgresql://") || url.starts_with("postgres://")) {
        backend = Backend::postgresql;
        auto keywords = libpq_keywords(url);
        if (!keywords) {
            return std::unexpected(keywords.error());
        }
        target = *keywords;
    } else if (url.starts_with("sqlite://")) {
        target = url.substr(std::string("sqlite://").size());
    } else if (url.find("://") != std::string::npos) {
        return fail(Errc::usage, "unknown database URL \"" + url +
                                     "\" (use a file path, sqlite:///path or postgresql://...)");
    }
    auto opened = guarded(
        "connecting to " + (backend == Backend::sqlite ? target : std::string("PostgreSQL")),
        [&]() -> Result<std::unique_ptr<soci::session>> {
            if (backend == Backend::postgresql) {
                auto session = std::make_unique<soci::session>(soci::postgresql, target);
                auto* connection =
                    static_cast<soci::postgresql_session_backend*>(session->get_backend());
                PQsetNoticeProcessor(connection->conn_, &log_server_notice, nullptr);
                return session;
            }
            auto session = std::make_unique<soci::session>(
                soci::sqlite3, "db=\"" + target + "\" timeout=30 shared_cache=false");
            *session << "PRAGMA foreign_keys = ON";
            use_wal(*session);
            return session;
        });
    if (!opened) {
        return std::unexpected(opened.error());
    }
    std::unique_ptr<Database> database(new Database(backend, std::move(*opened)));
    if (auto migrated = database->migrate(); !migrated) {
        return std::unexpected(migrated.error());
    }
    return database;
}

void Database::begin() {
    if (m_depth++ == 0) {
        m_rollback_only = false;
        if (m_backend == Backend::sqlite) {
            // IMMEDIATE takes the write lock at BEGIN, waiting up to the busy timeout. A plain
            // (deferred) BEGIN would take it at the first write, and in WAL mode a transaction
            // that read first and then finds another writer got there is refused at once with
            // "database is locked" (SQLITE_BUSY_SNAPSHOT), whatever the timeout: that is what
            // made several threads or processes on one file fail.
            *m_session << "BEGIN IMMEDIATE";
        } else {
            m_session->begin();
        }
    }
}

void Database::commit() {
    if (m_depth == 0)
        return;
    if (--m_depth == 0) {
        if (m_rollback_only) {
            m_session->rollback();
            throw std::runtime_error("an inner part of the transaction failed; it was rolled back");
        }
        m_session->commit();
    }
}

void Database::rollback() {
    if (m_depth == 0)
        return;
    if (--m_depth == 0) {
        m_session->rollback();
    } else {
        m_rollback_only = true;
    }
}

bool Database::has_schema_table() const {
    int exists = 0;
    if (m_backend == Backend::sqlite) {
        *m_session << "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND "
                      "name = 'schema_migrations'",
            soci::into(exists);
    } else {
        // Resolved through the search path, as the unqualified CREATE TABLE below is.
        *m_session << "SELECT CASE WHEN to_regclass('schema_migrations') IS NULL THEN 0 ELSE 1 END",
            soci::into(exists);
    }
    return exists != 0;
}

int Database::schema_version() const {
    if (!has_schema_table()) {
        return 0;
    }
    int version = 0;
    soci::indicator indicator = soci::i_null;
    *m_session << "SELECT MAX(version) FROM schema_migrations", soci::into(version, indicator);
    return indicator == soci::i_ok ? version : 0;
}

// Every open reads the version (no DDL, so nothing for the server to remark on); only a database
// behind this binary is migrated, in one transaction that one process at a time may hold: the
// PostgreSQL advisory lock, or SQLite's write lock taken by BEGIN IMMEDIATE. A process that
// waited finds the schema migrated and does nothing. A database newer than this binary is used
// as it is (migrations only add), so nodes can be upgraded one at a time.
Result<void> Database::migrate() {
    return guarded("migrating the schema", [&]() -> Result<void> {
        if (schema_version() >= newest_schema_version()) {
            return {};
        }
        soci::session& sql = *m_session;
        // PostgreSQL: the session lock is taken before the transaction begins, not inside it. A
        // backend looks its catalog up through caches that it refreshes when a transaction
        // starts (or it locks a table), not when it gets an advisory lock: inside a transaction
        // that waited for the lock, "is schema_migrations there?" could still say no after the
        // other process had created it, and CREATE TABLE then failed.
        const bool locked = m_backend == Backend::postgresql;
        if (locked) {
            sql << "SELECT pg_advisory_lock(" + std::to_string(kMigrationLockKey) + ")";
        }
        struct Unlock {
            soci::session& sql;
            bool locked;
            ~Unlock() {
                if (!locked)
                    return;
                try {
                    sql << "SELECT pg_advisory_unlock(" + std::to_string(kMigrationLockKey) + ")";
                } catch (...) {
                    // The connection is gone, and the lock with it.
                }
            }
        } unlock{sql, locked};
        Transaction transaction(*this);  // SQLite: BEGIN IMMEDIATE, the write lock
        if (!has_schema_table()) {
            // Inside the transaction, under the lock: no IF NOT EXISTS (and none of the notice
            // it makes on PostgreSQL when the table is there).
            sql << "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, "
                   "description TEXT NOT NULL, applied_at TEXT NOT NULL)";
        }
        const int current = schema_version();
        for (const Migration& migration : migrations()) {
            if (migration.version <= current) {
                continue;
            }
            for (const std::string& statement : migration.statements) {
                sql << expand(statement, m_backend);
            }
            const std::string now = to_iso8601(SystemClock().now());
            sql << "INSERT INTO schema_migrations (version, description, applied_at) "
                   "VALUES (:v, :d, :a)",
                soci::use(migration.version), soci::use(migration.description), soci::use(now);
            spdlog::info("schema migrated to version {} ({})", migration.version,
                         migration.description);
        }
        transaction.commit();
        return {};
    });
}

}  // namespace casecrypt::store
