// PageCustomizationStore: the values set for the web client's page customizations, by (type,
// name). Definitions and defaults live in services/page_customizations.cpp; a missing row means
// "the default". Not thread-safe (it uses its Database's connection).
#pragma once

#include <optional>
#include <string>

#include "core/error.h"
#include "store/database.h"

namespace casecrypt::store {

class PageCustomizationStore {
public:
    explicit PageCustomizationStore(Database& database) : m_database(database) {}

    Result<std::optional<std::string>> get(const std::string& type, const std::string& name);
    Result<void> set(const std::string& type, const std::string& name, const std::string& value,
                     const std::string& at, const std::string& actor);

private:
    Database& m_database;
};

}  // namespace casecrypt::store
