#include "core/json_text.h"

#include <nlohmann/json.hpp>

namespace casecrypt {

std::string json_text(const nlohmann::json& value, int indent) {
    return value.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace);
}

nlohmann::json json_value(const std::string& text) {
    auto value = nlohmann::json::parse(text, nullptr, false);
    if (value.is_discarded())
        return nullptr;
    return value;
}

}  // namespace casecrypt
