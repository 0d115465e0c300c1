// UserStore: the people who log in to the web edge (login, role, Argon2id hash, whether the
// password must be changed). The hash never leaves services/users.cpp's checks; the service
// hands out views without it. Not thread-safe (it uses its Database's connection).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/error.h"
#include "store/database.h"

namespace casecrypt::store {

struct UserRecord {
    std::string login;
    std::string role;
    std::string password_hash;
    bool must_change_password = true;
    std::string created_at;
    std::string created_by;
    std::optional<std::string> last_login_at;
};

class UserStore {
public:
    explicit UserStore(Database& database) : m_database(database) {}

    // Errc::conflict when the login exists.
    Result<void> insert(const UserRecord& user);
    Result<std::vector<UserRecord>> list();
    Result<std::optional<UserRecord>> get(const std::string& login);
    Result<long long> count();
    Result<long long> count_role(const std::string& role);
    // Errc::not_found when there is no such user.
    Result<void> set_password(const std::string& login, const std::string& password_hash,
                              bool must_change);
    // Errc::not_found when there is no such user.
    Result<void> set_role(const std::string& login, const std::string& role);
    Result<void> set_last_login(const std::string& login, const std::string& at);
    Result<void> remove(const std::string& login);

private:
    Database& m_database;
};

}  // namespace casecrypt::store
