#include "store/session_store.h"

#include <soci/soci.h>

#include <algorithm>

#include "store/guarded.h"

namespace casecrypt::store {

Result<void> SessionStore::insert(const SessionRecord& s) {
    return guarded("starting a session", [&]() -> Result<void> {
        m_database.session() << "INSERT INTO sessions (token_sha256, login, created_at, "
                                "expires_at) VALUES (:t, :l, :c, :e)",
            soci::use(s.token_sha256), soci::use(s.login), soci::use(s.created_at),
            soci::use(s.expires_at);
        return {};
    });
}

Result<std::optional<SessionRecord>> SessionStore::get(const std::string& token_sha256) {
    return guarded("reading a session", [&]() -> Result<std::optional<SessionRecord>> {
        SessionRecord r;
        soci::indicator found = soci::i_null;
        m_database.session() << "SELECT token_sha256, login, created_at, expires_at FROM "
                                "sessions WHERE token_sha256 = :t",
            soci::use(token_sha256), soci::into(r.token_sha256, found), soci::into(r.login),
            soci::into(r.created_at), soci::into(r.expires_at);
        if (!m_database.session().got_data() || found != soci::i_ok)
            return std::optional<SessionRecord>();
        return std::optional<SessionRecord>(r);
    });
}

Result<void> SessionStore::set_expiry(const std::string& token_sha256,
                                      const std::string& expires_at) {
    return guarded("renewing a session", [&]() -> Result<void> {
        m_database.session() << "UPDATE sessions SET expires_at = :e WHERE token_sha256 = :t",
            soci::use(expires_at), soci::use(token_sha256);
        return {};
    });
}

Result<void> SessionStore::remove(const std::string& token_sha256) {
    return guarded("ending a session", [&]() -> Result<void> {
        m_database.session() << "DELETE FROM sessions WHERE token_sha256 = :t",
            soci::use(token_sha256);
        return {};
    });
}

Result<void> SessionStore::remove_all_of(const std::string& login, const std::string& keep_sha256) {
    return guarded("ending sessions", [&]() -> Result<void> {
        m_database.session() << "DELETE FROM sessions WHERE login = :l AND token_sha256 <> :k",
            soci::use(login), soci::use(keep_sha256);
        return {};
    });
}

Result<void> SessionStore::remove_expired(const std::string& now) {
    return guarded("ending expired sessions", [&]() -> Result<void> {
        m_database.session() << "DELETE FROM sessions WHERE expires_at < :n", soci::use(now);
        return {};
    });
}

Result<void> SessionStore::record_failure(const std::string& login, const std::string& client,
                                          const std::string& at) {
    return guarded("recording a failed login", [&]() -> Result<void> {
        m_database.session() << "INSERT INTO login_failures (login, client, at) VALUES "
                                "(:l, :c, :a)",
            soci::use(login), soci::use(client), soci::use(at);
        return {};
    });
}

Result<SessionStore::FailureCounts> SessionStore::failures_since(const std::string& login,
                                                                 const std::string& client,
                                                                 const std::string& since) {
    return guarded("reading failed logins", [&]() -> Result<FailureCounts> {
        soci::session& sql = m_database.session();
        FailureCounts counts;
        std::string latest_login, latest_client;
        soci::indicator li = soci::i_null, ci = soci::i_null;
        sql << "SELECT COUNT(*), MAX(at) FROM login_failures WHERE login = :l AND at >= :s",
            soci::use(login), soci::use(since), soci::into(counts.by_login),
            soci::into(latest_login, li);
        sql << "SELECT COUNT(*), MAX(at) FROM login_failures WHERE client = :c AND at >= :s",
            soci::use(client), soci::use(since), soci::into(counts.by_client),
            soci::into(latest_client, ci);
        counts.latest = std::max(li == soci::i_ok ? latest_login : std::string(),
                                 ci == soci::i_ok ? latest_client : std::string());
        // Old failures are of no use to anyone: keep the table small.
        sql << "DELETE FROM login_failures WHERE at < :s", soci::use(since);
        return counts;
    });
}

Result<void> SessionStore::clear_failures(const std::string& login) {
    return guarded("clearing failed logins", [&]() -> Result<void> {
        m_database.session() << "DELETE FROM login_failures WHERE login = :l", soci::use(login);
        return {};
    });
}

}  // namespace casecrypt::store
