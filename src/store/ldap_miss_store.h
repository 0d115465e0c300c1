// LdapMissStore: addresses the directory had no certificate for, remembered until a time, so a
// burst of mail to one address does not hammer the directory (shared by every process and
// node through the database). Not thread-safe.
#pragma once

#include <string>

#include "core/clock.h"
#include "core/error.h"
#include "store/database.h"

namespace casecrypt::store {

class LdapMissStore {
public:
    explicit LdapMissStore(Database& database) : m_database(database) {}

    Result<bool> is_remembered(const std::string& address, TimePoint now);
    Result<void> remember(const std::string& address, TimePoint until);
    Result<void> forget(const std::string& address);

private:
    Database& m_database;
};

}  // namespace casecrypt::store
