// json_text: the one way casecrypt turns JSON into text, for every `--json` output and every
// JSON value written to the database.
//
// nlohmann's dump() throws type_error.316 on a string that is not valid UTF-8, which ended a
// listing with an uncaught exception (exit 134) when such text had been stored. Here invalid
// bytes become U+FFFD instead: what is already stored can always be listed. Pure; thread-safe.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string>

namespace casecrypt {

// indent < 0: one line; otherwise pretty-printed with that many spaces.
std::string json_text(const nlohmann::json& value, int indent = -1);

// JSON text read back (a JSON column of the database): its value, or null when it is not JSON
// (damaged, or with invalid UTF-8), never an exception and never a "discarded" value that
// json_text would print as something that is not JSON.
nlohmann::json json_value(const std::string& text);

}  // namespace casecrypt
