// TrustAnchorStore: CA certificates the administrator trusts for S/MIME signatures, in
// addition to the system CA bundle. Unique by fingerprint. Not thread-safe.
#pragma once

#include <string>
#include <vector>

#include "core/clock.h"
#include "core/error.h"
#include "store/database.h"

namespace casecrypt::store {

struct TrustAnchorRecord {
    long long id = 0;
    std::string subject;
    std::string fingerprint_sha256;
    TimePoint not_after{};
    std::string der;
    TimePoint created_at{};
    std::string created_by;
};

class TrustAnchorStore {
public:
    explicit TrustAnchorStore(Database& database) : m_database(database) {}

    // Returns the id; an anchor already present keeps its id and is not duplicated.
    Result<long long> insert(const TrustAnchorRecord& record, bool& already_present);
    Result<std::vector<TrustAnchorRecord>> list();

private:
    Database& m_database;
};

}  // namespace casecrypt::store
