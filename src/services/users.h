// Users: the people who log in to the admin tool and the web client, with their role, and the
// first administrator made on the first start of a fresh installation.
//
// Passwords are hashed with Argon2id (libargon2, RFC 9106 parameters: 64 MiB, 3 passes, 1 lane,
// a 16-byte random salt) and stored as the encoded string "$argon2id$v=19$m=...". A new user and
// the first `admin` must change their password at their first login (must_change_password).
// Every change goes into the audit log with the actor. Not thread-safe (one database
// connection).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/error.h"
#include "core/secret.h"

namespace casecrypt::store {
class AuditLog;
class Database;
}  // namespace casecrypt::store

namespace casecrypt::services {

enum class Role { admin, engineer };
std::string to_string(Role role);  // "admin", "engineer"
// Errc::usage naming the two roles for anything else.
Result<Role> parse_role(const std::string& text);

// A random password from an alphabet without look-alikes, for a one-time password handed out.
Result<Secret> one_time_password(std::size_t length);

struct UserView {
    std::string login;
    Role role = Role::engineer;
    bool must_change_password = false;
    TimePoint created{};
    std::string created_by;
    std::optional<TimePoint> last_login;
};

class Users {
public:
    Users(store::Database& database, store::AuditLog& audit, const Clock& clock);

    // Errc::usage for a malformed login (1-64 of [A-Za-z0-9._@-]) or a password shorter than
    // 12 characters; Errc::conflict when the login exists. The new user must change the
    // password at the first login unless `must_change` is false.
    Result<UserView> add(const std::string& login, Role role, const Secret& password,
                         const std::string& actor, bool must_change = true);
    // Sets a new password (same rules) and clears must_change_password when the user sets their
    // own (actor == login); an admin setting another user's password sets it again.
    Result<void> set_password(const std::string& login, const Secret& password,
                              const std::string& actor);
    // The user's role from now on (their next request sees it). Errc::conflict when it would
    // leave no admin.
    Result<UserView> set_role(const std::string& login, Role role, const std::string& actor);
    Result<std::vector<UserView>> list();
    Result<UserView> get(const std::string& login);
    // Errc::conflict when it is the last admin.
    Result<void> remove(const std::string& login, const std::string& actor);

    // With no user at all: makes `admin` (role admin, must change its password) with a random
    // one-time password and returns that password, once; otherwise nullopt.
    Result<std::optional<Secret>> ensure_first_admin();

    // The user whose password this is; Errc::denied "wrong login or password" otherwise (the
    // same sentence for an unknown login, and the same work: a dummy hash is checked).
    Result<UserView> verify(const std::string& login, const Secret& password);
    Result<void> record_login(const std::string& login);

private:
    store::Database& m_database;
    store::AuditLog& m_audit;
    const Clock& m_clock;
};

}  // namespace casecrypt::services
