// PropertyStore: system properties (module, name) with their type, default, description and
// current value, in the database so every node sees the same settings. Definitions are
// registered by the services at start (upserted); a value of NULL means "the default".
// Not thread-safe (it uses its Database's connection).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/error.h"
#include "store/database.h"

namespace casecrypt::store {

struct PropertyRecord {
    std::string module;
    std::string name;
    std::string type;  // "boolean", "integer:LO..HI", "string", "secret", "regex", "enum:a|b"
    std::string default_value;
    std::string description;
    std::optional<std::string> value;
    std::optional<std::string> updated_at;
    std::optional<std::string> updated_by;

    const std::string& effective_value() const { return value ? *value : default_value; }
    // What may be shown: a secret (a sealed password) only says whether it is set.
    std::string display_value() const {
        if (type == "secret")
            return effective_value().empty() ? "" : "***";
        return effective_value();
    }
};

class PropertyStore {
public:
    explicit PropertyStore(Database& database) : m_database(database) {}

    // Inserts the definition or updates its type, default and description; keeps the value.
    Result<void> define(const PropertyRecord& definition);
    Result<std::vector<PropertyRecord>> list();
    Result<std::optional<PropertyRecord>> get(const std::string& module, const std::string& name);
    // Sets the value of a defined property (no type check here: the service checks).
    Result<void> set(const std::string& module, const std::string& name, const std::string& value,
                     TimePoint at, const std::string& actor);

private:
    Database& m_database;
};

}  // namespace casecrypt::store
