// SealedDataStore: what the database holds sealed under the master key (server certificates'
// private keys, mail accounts' passwords, secret properties) and the master key's check value
// (kept in installation_facts), so that opening an installation can refuse a missing or wrong
// key before anything is sealed under another one. Values are raw sealed bytes (the base64 of
// the columns decoded). Not thread-safe (it uses its Database's connection).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/error.h"
#include "store/database.h"

namespace casecrypt::store {

enum class SealedKind { server_key, account_password, secret_property };

// One sealed value and what it is bound to: a certificate's fingerprint, an account's name,
// a property's "module/name".
struct SealedSample {
    SealedKind kind;
    std::string owner;
    std::string sealed;
};

struct SealedData {
    long long server_keys = 0;
    long long account_passwords = 0;
    long long secret_properties = 0;
    std::vector<SealedSample> samples;  // the first few of each kind, by id or name

    long long total() const { return server_keys + account_passwords + secret_properties; }
};

class SealedDataStore {
public:
    explicit SealedDataStore(Database& database) : m_database(database) {}

    // Counts everything sealed, with up to `samples_per_kind` values of each kind.
    Result<SealedData> survey(int samples_per_kind);
    Result<std::optional<std::string>> check_value();
    // False when a check value was there already (another process wrote it first).
    Result<bool> set_check_value_once(const std::string& value);

private:
    Database& m_database;
};

}  // namespace casecrypt::store
