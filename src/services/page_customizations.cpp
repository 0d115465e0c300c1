#include "services/page_customizations.h"

#include <algorithm>

#include "core/iso_time.h"
#include "services/properties.h"
#include "store/audit_log.h"
#include "store/guarded.h"
#include "store/page_customization_store.h"

namespace casecrypt::services {
namespace {

const std::vector<PageCustomizationView>& definitions() {
    static const std::vector<PageCustomizationView> all = {
        {.type = kMailTemplate,
         .name = kMailEncryptionAvailable,
         .value = "false",
         .value_type = "boolean",
         .default_value = "false",
         .description = "show the Send encrypted checkbox in the Ticket Email Editor (when "
                        "cmas-core-server / mail.encryption is true too); checked by default",
         .is_default = true},
    };
    return all;
}

}  // namespace

PageCustomizations::PageCustomizations(store::Database& database, store::AuditLog& audit,
                                       const Clock& clock)
    : m_database(database), m_audit(audit), m_clock(clock) {}

Result<std::vector<PageCustomizationView>> PageCustomizations::list() {
    std::vector<PageCustomizationView> out;
    for (const auto& d : definitions()) {
        auto view = get(d.type, d.name);
        if (!view)
            return std::unexpected(view.error());
        out.push_back(std::move(*view));
    }
    return out;
}

Result<PageCustomizationView> PageCustomizations::get(const std::string& type,
                                                      const std::string& name) {
    const auto& all = definitions();
    auto it = std::find_if(all.begin(), all.end(),
                           [&](const auto& d) { return d.type == type && d.name == name; });
    if (it == all.end())
        return fail(Errc::not_found, "unknown page customization " + type + " / " + name);
    auto stored = store::PageCustomizationStore(m_database).get(type, name);
    if (!stored)
        return std::unexpected(stored.error());
    PageCustomizationView view = *it;
    if (*stored) {
        view.value = **stored;
        view.is_default = false;
    }
    return view;
}

Result<bool> PageCustomizations::get_bool(const std::string& type, const std::string& name) {
    auto view = get(type, name);
    if (!view)
        return std::unexpected(view.error());
    return view->value == "true";
}

Result<PageCustomizationView> PageCustomizations::set(const std::string& type,
                                                      const std::string& name,
                                                      const std::string& value,
                                                      const std::string& actor) {
    auto current = get(type, name);
    if (!current)
        return std::unexpected(current.error());
    auto canonical = canonical_property_value(current->value_type, value);
    if (!canonical)
        return std::unexpected(canonical.error().with_context(type + " / " + name));
    auto done =
        store::in_transaction(m_database, "setting a page customization", [&]() -> Result<void> {
            const std::string at = to_iso8601(m_clock.now());
            if (auto set = store::PageCustomizationStore(m_database)
                               .set(type, name, *canonical, at, actor);
                !set)
                return set;
            return m_audit.record(m_clock.now(), actor, "page-customization.set",
                                  type + " / " + name + " = " + *canonical);
        });
    if (!done)
        return std::unexpected(done.error());
    current->value = *canonical;
    current->is_default = false;
    return current;
}

}  // namespace casecrypt::services
