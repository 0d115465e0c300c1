#include "store/database.h"

#include <libpq-fe.h>
#include <soci/postgresql/soci-postgresql.h>
#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>

#include <cstdlib>
#include <stdexcept>
#include <string_view>

#include "core/iso_time.h"
#include "core/log.h"
#include "core/text.h"
#include "store/guarded.h"
#include "store/migrations.h"

namespace casecrypt::store {
namespace {

// The statement as this backend runs it, or "" when it is for the other backend.
std::string expand(const std::string& statement, Backend backend) {
    std::string out = statement;
    for (const auto& [tag, only] : {std::pair<std::string, Backend>{"{SQLITE}", Backend::sqlite},
                                    {"{POSTGRESQL}", Backend::postgresql}}) {
        if (out.starts_with(tag)) {
            if (backend != only) {
                return "";
            }
            out.erase(0, tag.size());
        }
    }
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

// SOCI 4.0 mangles libpq URIs ("postgresql://...") while looking for its own options, so the
// URI is turned into libpq's keyword form by libpq itself, with the default connect_timeout.
Result<std::string> libpq_keywords(const std::string& url) {
    char* error = nullptr;
    PQconninfoOption* options = PQconninfoParse(url.c_str(), &error);
    if (options == nullptr) {
        const std::string reason = error != nullptr ? error : "cannot parse it";
        PQfreemem(error);
        return fail(Errc::usage, "bad PostgreSQL URL: " + fold_lines(reason));
    }
    std::string out;
    const char* environment_timeout = std::getenv("PGCONNECT_TIMEOUT");
    bool has_timeout = environment_timeout != nullptr && *environment_timeout != '\0';
    for (const PQconninfoOption* o = options; o->keyword != nullptr; ++o) {
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
    PQconninfoFree(options);
    if (!has_timeout) {
        out += std::string(out.empty() ? "" : " ") + "connect_timeout='" +
               kDefaultConnectTimeoutSeconds + "'";
    }
    return out;
}

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
                return std::make_unique<soci::session>(soci::postgresql, target);
            }
            auto session = std::make_unique<soci::session>(
                soci::sqlite3, "db=\"" + target + "\" timeout=30 shared_cache=false");
            *session << "PRAGMA foreign_keys = ON";
            *session << "PRAGMA journal_mode = WAL";
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
        m_session->begin();
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

int Database::schema_version() const {
    int version = 0;
    soci::indicator indicator = soci::i_null;
    *m_session << "SELECT MAX(version) FROM schema_migrations", soci::into(version, indicator);
    return indicator == soci::i_ok ? version : 0;
}

Result<void> Database::migrate() {
    return guarded("migrating the schema", [&]() -> Result<void> {
        soci::session& sql = *m_session;
        sql << "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
               "description TEXT NOT NULL, applied_at TEXT NOT NULL)";
        soci::transaction transaction(sql);
        if (m_backend == Backend::postgresql) {
            // Several nodes may start at once: one migrates, the others wait and then see it.
            sql << "SELECT pg_advisory_xact_lock(7261001)";
        }
        const int current = schema_version();
        for (const Migration& migration : migrations()) {
            if (migration.version <= current) {
                continue;
            }
            for (const std::string& statement : migration.statements) {
                if (const std::string expanded = expand(statement, m_backend); !expanded.empty()) {
                    sql << expanded;
                }
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
