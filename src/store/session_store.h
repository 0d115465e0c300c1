// SessionStore: web sessions (by the SHA-256 of their token) and failed logins (by login and by
// client address, for slowing down guessing). In the database so any node can answer any
// request. Not thread-safe (it uses its Database's connection).
#pragma once

#include <optional>
#include <string>

#include "core/error.h"
#include "store/database.h"

namespace casecrypt::store {

struct SessionRecord {
    std::string token_sha256;
    std::string login;
    std::string created_at;
    std::string expires_at;
};

class SessionStore {
public:
    explicit SessionStore(Database& database) : m_database(database) {}

    Result<void> insert(const SessionRecord& session);
    Result<std::optional<SessionRecord>> get(const std::string& token_sha256);
    Result<void> set_expiry(const std::string& token_sha256, const std::string& expires_at);
    Result<void> remove(const std::string& token_sha256);
    // Every session of a login but `keep_sha256` (may be empty).
    Result<void> remove_all_of(const std::string& login, const std::string& keep_sha256);
    // Sessions whose expiry (ISO 8601, so text order is time order) is before `now`.
    Result<void> remove_expired(const std::string& now);

    Result<void> record_failure(const std::string& login, const std::string& client,
                                const std::string& at);
    // Failures since `since`: of this login, and from this client address.
    struct FailureCounts {
        long long by_login = 0;
        long long by_client = 0;
        std::string latest;  // the newest failure's time of either kind, "" when none
    };
    Result<FailureCounts> failures_since(const std::string& login, const std::string& client,
                                         const std::string& since);
    Result<void> clear_failures(const std::string& login);

private:
    Database& m_database;
};

}  // namespace casecrypt::store
