// Base64 (RFC 4648, no line breaks) for storing binary values (DER, encrypted keys) in text
// columns that behave the same in SQLite and PostgreSQL. Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace casecrypt {

std::string base64_encode(std::string_view bytes);
// Returns nullopt on a character outside the alphabet or a bad length.
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace casecrypt
