#include "store/page_customization_store.h"

#include <soci/soci.h>

#include "store/guarded.h"

namespace casecrypt::store {

Result<std::optional<std::string>> PageCustomizationStore::get(const std::string& type,
                                                               const std::string& name) {
    return guarded("reading a page customization", [&]() -> Result<std::optional<std::string>> {
        std::string value;
        soci::indicator indicator = soci::i_null;
        m_database.session() << "SELECT value FROM page_customizations WHERE type = :t AND "
                                "name = :n",
            soci::use(type), soci::use(name), soci::into(value, indicator);
        if (!m_database.session().got_data() || indicator != soci::i_ok)
            return std::optional<std::string>();
        return std::optional<std::string>(value);
    });
}

Result<void> PageCustomizationStore::set(const std::string& type, const std::string& name,
                                         const std::string& value, const std::string& at,
                                         const std::string& actor) {
    return guarded("setting a page customization", [&]() -> Result<void> {
        // ON CONFLICT ... DO UPDATE: the same statement in SQLite (>= 3.24) and PostgreSQL.
        m_database.session() << "INSERT INTO page_customizations (type, name, value, "
                                "updated_at, updated_by) VALUES (:t, :n, :v, :a, :b) ON CONFLICT "
                                "(type, name) DO UPDATE SET value = excluded.value, updated_at = "
                                "excluded.updated_at, updated_by = excluded.updated_by",
            soci::use(type), soci::use(name), soci::use(value), soci::use(at), soci::use(actor);
        return {};
    });
}

}  // namespace casecrypt::store
