// Sessions: who is logged in, for the web edge. A session is a random 256-bit token (sent to the
// browser in a cookie) and a separate random CSRF token (sent back in X-CSRF-Token on every
// write); the database keeps only their SHA-256, so a copy of the database logs nobody in, and
// any node on the same database can answer any request. A session ends after
// `web.session.idle.minutes` (property, default 30) without a request, or at logout.
//
// Failed logins are slowed down per login and per client address (login_failures table): after
// 5 failures within 15 minutes each further attempt for that login or from that address is
// refused with Errc::throttled for a delay that doubles per failure (1 s, 2 s, ... up to 5 min)
// without even checking the password. A success clears the login's failures.
// Not thread-safe (one database connection); several threads each open their own.
#pragma once

#include <optional>
#include <string>

#include "core/clock.h"
#include "core/error.h"
#include "core/secret.h"
#include "services/users.h"

namespace casecrypt::services {

class Properties;

struct SessionView {
    std::string login;
    Role role = Role::engineer;
    bool must_change_password = false;
    std::string csrf_token;
    TimePoint expires{};  // idle timeout from the last request
};

// A new session: the token for the cookie (returned only here, once) and its view.
struct NewSession {
    Secret token;
    SessionView session;
};

class Sessions {
public:
    Sessions(store::Database& database, Users& users, Properties& properties,
             store::AuditLog& audit, const Clock& clock);

    // Errc::throttled "too many failed logins for LOGIN or from ADDRESS; try again in N s",
    // Errc::denied "wrong login or password". Audited (login, failed login with the address).
    Result<NewSession> login(const std::string& login, const Secret& password,
                             const std::string& client_address);
    // The session of a cookie's token, its idle timeout renewed; Errc::denied when it is
    // unknown, expired or its user was removed.
    Result<SessionView> find(const Secret& token);
    Result<void> logout(const Secret& token);
    // Ends every session of a user (password changed, user removed), except `keep`.
    Result<void> end_all_of(const std::string& login, const Secret* keep = nullptr);
    // Constant-time comparison of a request's X-CSRF-Token with the session's.
    static bool csrf_matches(const SessionView& session, const std::string& presented);

private:
    store::Database& m_database;
    Users& m_users;
    Properties& m_properties;
    store::AuditLog& m_audit;
    const Clock& m_clock;
};

}  // namespace casecrypt::services
