#include "services/sessions.h"

#include <algorithm>
#include <chrono>

#include "core/iso_time.h"
#include "crypto/password_hash.h"
#include "services/properties.h"
#include "store/audit_log.h"
#include "store/session_store.h"

namespace casecrypt::services {
namespace {

constexpr auto kFailureWindow = std::chrono::minutes(15);
constexpr long long kFreeFailures = 5;
constexpr long long kMaxDelaySeconds = 300;
constexpr std::size_t kTokenBytes = 32;

// 1 s after the 5th failure, doubling per further failure, at most 5 minutes.
long long delay_seconds(long long failures) {
    if (failures < kFreeFailures)
        return 0;
    const long long doublings = std::min<long long>(failures - kFreeFailures, 9);
    return std::min<long long>(1LL << doublings, kMaxDelaySeconds);
}

// The CSRF token is a function of the session token: a browser holding the cookie cannot read it
// from the cookie (HttpOnly) and must have been told it; the database, which keeps only the
// token's SHA-256, cannot produce it.
std::string csrf_for(const Secret& token) {
    return crypto::sha256_hex_of(Secret("casecrypt csrf\n" + std::string(token.reveal())));
}

}  // namespace

Sessions::Sessions(store::Database& database, Users& users, Properties& properties,
                   store::AuditLog& audit, const Clock& clock)
    : m_database(database),
      m_users(users),
      m_properties(properties),
      m_audit(audit),
      m_clock(clock) {}

Result<NewSession> Sessions::login(const std::string& login, const Secret& password,
                                   const std::string& client_address) {
    store::SessionStore store(m_database);
    const TimePoint now = m_clock.now();
    auto failures = store.failures_since(login, client_address, to_iso8601(now - kFailureWindow));
    if (!failures)
        return std::unexpected(failures.error());
    const long long delay = delay_seconds(std::max(failures->by_login, failures->by_client));
    if (delay > 0 && !failures->latest.empty()) {
        const TimePoint until =
            from_iso8601(failures->latest).value_or(now) + std::chrono::seconds(delay);
        // Times are whole seconds: a failure at 25.9 s is stored as 25 s, so the wait ends one
        // second after `until`, never earlier than the delay.
        if (now <= until) {
            const auto wait =
                std::chrono::duration_cast<std::chrono::seconds>(until - now).count() + 1;
            return fail(Errc::throttled, "too many failed logins for " + login + " or from " +
                                             client_address + "; try again in " +
                                             std::to_string(wait) + " s");
        }
    }
    auto user = m_users.verify(login, password);
    if (!user) {
        if (user.error().code() == Errc::denied) {
            if (auto recorded = store.record_failure(login, client_address, to_iso8601(now));
                !recorded)
                return std::unexpected(recorded.error());
            (void)m_audit.record(now, login, "login.failed", "from " + client_address);
        }
        return std::unexpected(user.error());
    }
    auto token_hex = crypto::random_hex(kTokenBytes);
    if (!token_hex)
        return std::unexpected(token_hex.error());
    Secret token(std::move(*token_hex));
    auto idle = m_properties.get_int(kCoreModule, kWebSessionIdleMinutes);
    const TimePoint expires = now + std::chrono::minutes(idle.value_or(30));
    store::SessionRecord record{.token_sha256 = crypto::sha256_hex_of(token),
                                .login = user->login,
                                .created_at = to_iso8601(now),
                                .expires_at = to_iso8601(expires)};
    if (auto inserted = store.insert(record); !inserted)
        return std::unexpected(inserted.error());
    (void)store.clear_failures(login);
    (void)store.remove_expired(to_iso8601(now));
    (void)m_users.record_login(user->login);
    (void)m_audit.record(now, user->login, "login", "from " + client_address);
    SessionView view{.login = user->login,
                     .role = user->role,
                     .must_change_password = user->must_change_password,
                     .csrf_token = csrf_for(token),
                     .expires = expires};
    return NewSession{.token = std::move(token), .session = std::move(view)};
}

Result<SessionView> Sessions::find(const Secret& token) {
    if (token.empty())
        return fail(Errc::denied, "not logged in");
    store::SessionStore store(m_database);
    const std::string digest = crypto::sha256_hex_of(token);
    auto record = store.get(digest);
    if (!record)
        return std::unexpected(record.error());
    if (!*record)
        return fail(Errc::denied, "not logged in (no such session; log in again)");
    const TimePoint now = m_clock.now();
    const auto expires = from_iso8601((*record)->expires_at);
    if (!expires || *expires <= now) {
        (void)store.remove(digest);
        return fail(Errc::denied,
                    "the session has ended after a time without requests; log in "
                    "again");
    }
    auto user = m_users.get((*record)->login);
    if (!user) {
        if (user.error().code() == Errc::not_found) {
            (void)store.remove(digest);
            return fail(Errc::denied, "not logged in (the user was removed)");
        }
        return std::unexpected(user.error());
    }
    auto idle = m_properties.get_int(kCoreModule, kWebSessionIdleMinutes);
    const TimePoint renewed = now + std::chrono::minutes(idle.value_or(30));
    // One write a minute at most, not one per request.
    if (renewed - *expires >= std::chrono::minutes(1)) {
        if (auto set = store.set_expiry(digest, to_iso8601(renewed)); !set)
            return std::unexpected(set.error());
    }
    return SessionView{.login = user->login,
                       .role = user->role,
                       .must_change_password = user->must_change_password,
                       .csrf_token = csrf_for(token),
                       .expires = std::max(renewed, *expires)};
}

Result<void> Sessions::logout(const Secret& token) {
    store::SessionStore store(m_database);
    const std::string digest = crypto::sha256_hex_of(token);
    auto record = store.get(digest);
    if (!record)
        return std::unexpected(record.error());
    if (!*record)
        return {};
    if (auto removed = store.remove(digest); !removed)
        return removed;
    (void)m_audit.record(m_clock.now(), (*record)->login, "logout", "");
    return {};
}

Result<void> Sessions::end_all_of(const std::string& login, const Secret* keep) {
    return store::SessionStore(m_database)
        .remove_all_of(login, keep ? crypto::sha256_hex_of(*keep) : std::string());
}

bool Sessions::csrf_matches(const SessionView& session, const std::string& presented) {
    return !presented.empty() && crypto::constant_time_equal(session.csrf_token, presented);
}

}  // namespace casecrypt::services
