#include "store/account_store.h"

#include <soci/soci.h>

#include "core/iso_time.h"
#include "store/guarded.h"

namespace casecrypt::store {

Result<long long> AccountStore::add(const AccountRecord& r) {
    auto existing = get(r.name);
    if (!existing)
        return std::unexpected(existing.error());
    if (*existing) {
        return fail(Errc::rejected, "an account named " + r.name + " exists already");
    }
    return guarded("adding a mail account", [&]() -> Result<long long> {
        long long id = 0;
        std::string sealed = r.sealed_password.value_or("");
        soci::indicator sealed_i = r.sealed_password ? soci::i_ok : soci::i_null;
        m_database.session()
            << "INSERT INTO mail_accounts (name, url, username, sealed_password, created_at, "
               "created_by) VALUES (:n, :u, :user, :p, :c, :by) RETURNING id",
            soci::use(r.name), soci::use(r.url), soci::use(r.user), soci::use(sealed, sealed_i),
            soci::use(r.created_at), soci::use(r.created_by), soci::into(id);
        return id;
    });
}

namespace {

struct AccountRow {
    AccountRecord r;
    std::string sealed, last_fetch, last_error;
    soci::indicator sealed_i = soci::i_null, fetch_i = soci::i_null, error_i = soci::i_null;

    AccountRecord record(bool with_password) const {
        AccountRecord out = r;
        if (with_password && sealed_i == soci::i_ok)
            out.sealed_password = sealed;
        if (fetch_i == soci::i_ok)
            out.last_fetch_at = last_fetch;
        out.last_error = error_i == soci::i_ok ? last_error : "";
        return out;
    }
};

constexpr const char* kAccountColumns =
    "SELECT id, name, url, username, sealed_password, created_at, created_by, last_fetch_at, "
    "last_error FROM mail_accounts";

}  // namespace

Result<std::vector<AccountRecord>> AccountStore::list() {
    return guarded("reading mail accounts", [&]() -> Result<std::vector<AccountRecord>> {
        std::vector<AccountRecord> out;
        AccountRow row;
        soci::statement st =
            (m_database.session().prepare << std::string(kAccountColumns) + " ORDER BY name",
             soci::into(row.r.id), soci::into(row.r.name), soci::into(row.r.url),
             soci::into(row.r.user), soci::into(row.sealed, row.sealed_i),
             soci::into(row.r.created_at), soci::into(row.r.created_by),
             soci::into(row.last_fetch, row.fetch_i), soci::into(row.last_error, row.error_i));
        st.execute();
        while (st.fetch())
            out.push_back(row.record(false));
        return out;
    });
}

Result<std::optional<AccountRecord>> AccountStore::get(const std::string& name) {
    return guarded("reading a mail account", [&]() -> Result<std::optional<AccountRecord>> {
        AccountRow row;
        m_database.session() << std::string(kAccountColumns) + " WHERE name = :n", soci::use(name),
            soci::into(row.r.id), soci::into(row.r.name), soci::into(row.r.url),
            soci::into(row.r.user), soci::into(row.sealed, row.sealed_i),
            soci::into(row.r.created_at), soci::into(row.r.created_by),
            soci::into(row.last_fetch, row.fetch_i), soci::into(row.last_error, row.error_i);
        if (!m_database.session().got_data())
            return std::optional<AccountRecord>();
        return std::optional<AccountRecord>(row.record(true));
    });
}

Result<bool> AccountStore::remove(const std::string& name) {
    return guarded("removing a mail account", [&]() -> Result<bool> {
        soci::statement st =
            (m_database.session().prepare << "DELETE FROM mail_accounts WHERE name = :n",
             soci::use(name));
        st.execute(true);
        return st.get_affected_rows() > 0;
    });
}

Result<void> AccountStore::record_fetch(const std::string& name, TimePoint at,
                                        const std::string& error) {
    return guarded("updating a mail account", [&]() -> Result<void> {
        const std::string when = to_iso8601(at);
        std::string e = error;
        soci::indicator error_i = error.empty() ? soci::i_null : soci::i_ok;
        m_database.session() << "UPDATE mail_accounts SET last_fetch_at = :a, last_error = :e "
                                "WHERE name = :n",
            soci::use(when), soci::use(e, error_i), soci::use(name);
        return {};
    });
}

Result<std::optional<std::string>> AccountStore::fact(const std::string& name) {
    return guarded("reading installation facts", [&]() -> Result<std::optional<std::string>> {
        std::string value;
        m_database.session() << "SELECT value FROM installation_facts WHERE name = :n",
            soci::use(name), soci::into(value);
        if (!m_database.session().got_data())
            return std::optional<std::string>();
        return std::optional<std::string>(value);
    });
}

Result<bool> AccountStore::set_fact_once(const std::string& name, const std::string& value) {
    return guarded("writing installation facts", [&]() -> Result<bool> {
        soci::statement st = (m_database.session().prepare
                                  << "INSERT INTO installation_facts (name, value) VALUES (:n, :v) "
                                     "ON CONFLICT (name) DO NOTHING",
                              soci::use(name), soci::use(value));
        st.execute(true);
        return st.get_affected_rows() > 0;
    });
}

}  // namespace casecrypt::store
