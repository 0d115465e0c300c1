#include "core/iso_time.h"

#include <ctime>

namespace casecrypt {
namespace {

std::string format_utc(TimePoint at, const char* pattern) {
    const std::time_t t = at.time_since_epoch().count();
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buffer[32];
    const std::size_t n = std::strftime(buffer, sizeof buffer, pattern, &tm);
    return std::string(buffer, n);
}

}  // namespace

std::string to_iso8601(TimePoint at) {
    return format_utc(at, "%Y-%m-%dT%H:%M:%SZ");
}

std::string to_date(TimePoint at) {
    return format_utc(at, "%Y-%m-%d");
}

std::optional<TimePoint> from_iso8601(std::string_view text) {
    std::tm tm{};
    const std::string copy(text);
    const char* end = strptime(copy.c_str(), "%Y-%m-%dT%H:%M:%SZ", &tm);
    if (end == nullptr || *end != '\0') {
        return std::nullopt;
    }
    return TimePoint(std::chrono::seconds(timegm(&tm)));
}

}  // namespace casecrypt
