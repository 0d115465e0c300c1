// AccountStore: the mailboxes incoming mail is fetched from (name, URL, user, sealed password),
// and the installation's one-off facts (such as "the local account was created once").
// Not thread-safe (it uses its Database's connection).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/error.h"
#include "store/database.h"

namespace casecrypt::store {

struct AccountRecord {
    long long id = 0;
    std::string name;
    std::string url;
    std::string user;
    std::optional<std::string> sealed_password;  // only from get(), for the fetching code
    std::string created_at;
    std::string created_by;
    std::optional<std::string> last_fetch_at;
    std::string last_error;  // of the last fetch; empty when it went well
};

class AccountStore {
public:
    explicit AccountStore(Database& database) : m_database(database) {}

    // Errc::rejected when the name is taken.
    Result<long long> add(const AccountRecord& record);
    // Ordered by name; without passwords.
    Result<std::vector<AccountRecord>> list();
    // With the sealed password.
    Result<std::optional<AccountRecord>> get(const std::string& name);
    // False when there was no such account.
    Result<bool> remove(const std::string& name);
    Result<void> record_fetch(const std::string& name, TimePoint at, const std::string& error);

    Result<std::optional<std::string>> fact(const std::string& name);
    // False when the fact was already there (set by someone else first).
    Result<bool> set_fact_once(const std::string& name, const std::string& value);

private:
    Database& m_database;
};

}  // namespace casecrypt::store
