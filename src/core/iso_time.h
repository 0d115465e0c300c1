// ISO 8601 UTC timestamps ("2026-11-27T21:18:41Z"): the one textual form of a time in the
// database, the JSON output and the messages. They sort lexicographically in time order.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/clock.h"

namespace casecrypt {

std::string to_iso8601(TimePoint at);
std::optional<TimePoint> from_iso8601(std::string_view text);

// "2026-11-27" for sentences a human reads.
std::string to_date(TimePoint at);

}  // namespace casecrypt
