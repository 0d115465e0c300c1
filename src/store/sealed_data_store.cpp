#include "store/sealed_data_store.h"

#include <soci/soci.h>

#include "core/base64.h"
#include "store/guarded.h"

namespace casecrypt::store {
namespace {

constexpr const char* kCheckValueFact = "master_key_check_value";

// A secret property holds base64 of a sealed value, or "" / NULL when it is not set.
constexpr const char* kSecretPropertyRows =
    "FROM properties WHERE type = 'secret' AND value IS NOT NULL AND value <> ''";

long long count(soci::session& sql, const std::string& query) {
    long long n = 0;
    sql << query, soci::into(n);
    return n;
}

void add_samples(soci::session& sql, const std::string& query, SealedKind kind,
                 std::vector<SealedSample>& out) {
    std::string owner, sealed_base64;
    soci::statement st = (sql.prepare << query, soci::into(owner), soci::into(sealed_base64));
    st.execute();
    while (st.fetch()) {
        // Undecodable base64 is damage; it stays in the sample so that it does not open.
        out.push_back({kind, owner, base64_decode(sealed_base64).value_or("")});
    }
}

}  // namespace

Result<SealedData> SealedDataStore::survey(int samples_per_kind) {
    return guarded("looking for sealed data", [&]() -> Result<SealedData> {
        soci::session& sql = m_database.session();
        const std::string limit = " LIMIT " + std::to_string(samples_per_kind);
        SealedData data;
        data.server_keys =
            count(sql, "SELECT COUNT(*) FROM certificates WHERE sealed_private_key IS NOT NULL");
        data.account_passwords =
            count(sql, "SELECT COUNT(*) FROM mail_accounts WHERE sealed_password IS NOT NULL");
        data.secret_properties = count(sql, std::string("SELECT COUNT(*) ") + kSecretPropertyRows);
        add_samples(sql,
                    "SELECT fingerprint_sha256, sealed_private_key FROM certificates WHERE "
                    "sealed_private_key IS NOT NULL ORDER BY id" +
                        limit,
                    SealedKind::server_key, data.samples);
        add_samples(sql,
                    "SELECT name, sealed_password FROM mail_accounts WHERE sealed_password IS "
                    "NOT NULL ORDER BY id" +
                        limit,
                    SealedKind::account_password, data.samples);
        add_samples(sql,
                    std::string("SELECT module || '/' || name, value ") + kSecretPropertyRows +
                        " ORDER BY module, name" + limit,
                    SealedKind::secret_property, data.samples);
        return data;
    });
}

Result<std::optional<std::string>> SealedDataStore::check_value() {
    return guarded(
        "reading the master key check value", [&]() -> Result<std::optional<std::string>> {
            std::string value;
            const std::string name = kCheckValueFact;
            m_database.session() << "SELECT value FROM installation_facts WHERE name = :n",
                soci::use(name), soci::into(value);
            if (!m_database.session().got_data())
                return std::optional<std::string>();
            return std::optional<std::string>(value);
        });
}

Result<bool> SealedDataStore::set_check_value_once(const std::string& value) {
    return guarded("writing the master key check value", [&]() -> Result<bool> {
        const std::string name = kCheckValueFact;
        soci::statement st = (m_database.session().prepare
                                  << "INSERT INTO installation_facts (name, value) VALUES (:n, :v) "
                                     "ON CONFLICT (name) DO NOTHING",
                              soci::use(name), soci::use(value));
        st.execute(true);
        return st.get_affected_rows() > 0;
    });
}

}  // namespace casecrypt::store
