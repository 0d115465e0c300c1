#include "store/property_store.h"

#include <soci/soci.h>

#include "core/iso_time.h"
#include "store/guarded.h"

namespace casecrypt::store {

Result<void> PropertyStore::define(const PropertyRecord& d) {
    return guarded("registering a property", [&]() -> Result<void> {
        soci::session& sql = m_database.session();
        // ON CONFLICT ... DO UPDATE: the same statement in SQLite (>= 3.24) and PostgreSQL.
        sql << "INSERT INTO properties (module, name, type, default_value, description) "
               "VALUES (:m, :n, :t, :d, :desc) ON CONFLICT (module, name) DO UPDATE SET "
               "type = excluded.type, default_value = excluded.default_value, "
               "description = excluded.description",
            soci::use(d.module), soci::use(d.name), soci::use(d.type), soci::use(d.default_value),
            soci::use(d.description);
        return {};
    });
}

Result<std::vector<PropertyRecord>> PropertyStore::list() {
    return guarded("reading properties", [&]() -> Result<std::vector<PropertyRecord>> {
        std::vector<PropertyRecord> records;
        PropertyRecord r;
        std::string value, updated_at, updated_by;
        soci::indicator vi = soci::i_null, ai = soci::i_null, bi = soci::i_null;
        soci::statement statement =
            (m_database.session().prepare
                 << "SELECT module, name, type, default_value, description, value, updated_at, "
                    "updated_by FROM properties ORDER BY module, name",
             soci::into(r.module), soci::into(r.name), soci::into(r.type),
             soci::into(r.default_value), soci::into(r.description), soci::into(value, vi),
             soci::into(updated_at, ai), soci::into(updated_by, bi));
        statement.execute();
        while (statement.fetch()) {
            PropertyRecord record = r;
            record.value = vi == soci::i_ok ? std::optional(value) : std::nullopt;
            record.updated_at = ai == soci::i_ok ? std::optional(updated_at) : std::nullopt;
            record.updated_by = bi == soci::i_ok ? std::optional(updated_by) : std::nullopt;
            records.push_back(std::move(record));
        }
        return records;
    });
}

Result<std::optional<PropertyRecord>> PropertyStore::get(const std::string& module,
                                                         const std::string& name) {
    auto all = list();
    if (!all) {
        return std::unexpected(all.error());
    }
    for (PropertyRecord& record : *all) {
        if (record.module == module && record.name == name) {
            return std::optional<PropertyRecord>(std::move(record));
        }
    }
    return std::optional<PropertyRecord>();
}

Result<void> PropertyStore::set(const std::string& module, const std::string& name,
                                const std::string& value, TimePoint at, const std::string& actor) {
    return guarded("setting a property", [&]() -> Result<void> {
        const std::string when = to_iso8601(at);
        soci::statement statement =
            (m_database.session().prepare
                 << "UPDATE properties SET value = :v, updated_at = :a, updated_by = :b "
                    "WHERE module = :m AND name = :n",
             soci::use(value), soci::use(when), soci::use(actor), soci::use(module),
             soci::use(name));
        statement.execute(true);
        if (statement.get_affected_rows() == 0) {
            return fail(Errc::not_found, "unknown property " + module + " / " + name);
        }
        return {};
    });
}

}  // namespace casecrypt::store
