// PageCustomizations: switches of the web client's pages, by (type, name), as the product names
// them. `mailTemplate` / `mailEncryptionAvailable` (boolean, default false) shows the Ticket Email
// Editor's "Send encrypted" checkbox when `mail.encryption` is true too. Registered with their
// defaults like the properties; every change is audited. Not thread-safe.
#pragma once

#include <string>
#include <vector>

#include "core/clock.h"
#include "core/error.h"

namespace casecrypt::store {
class AuditLog;
class Database;
}  // namespace casecrypt::store

namespace casecrypt::services {

inline constexpr const char* kMailTemplate = "mailTemplate";
inline constexpr const char* kMailEncryptionAvailable = "mailEncryptionAvailable";

struct PageCustomizationView {
    std::string type;
    std::string name;
    std::string value;       // canonical ("true"/"false" for a boolean)
    std::string value_type;  // "boolean"
    std::string default_value;
    std::string description;
    bool is_default = true;
};

class PageCustomizations {
public:
    PageCustomizations(store::Database& database, store::AuditLog& audit, const Clock& clock);

    Result<std::vector<PageCustomizationView>> list();
    // Errc::not_found for an unknown one, Errc::rejected for a value of the wrong type.
    Result<PageCustomizationView> get(const std::string& type, const std::string& name);
    Result<bool> get_bool(const std::string& type, const std::string& name);
    Result<PageCustomizationView> set(const std::string& type, const std::string& name,
                                      const std::string& value, const std::string& actor);

private:
    store::Database& m_database;
    store::AuditLog& m_audit;
    const Clock& m_clock;
};

}  // namespace casecrypt::services
