// Clock: where "now" comes from, so tests can drive expiry (STYLE.md rule 7).
// SystemClock is stateless and thread-safe; FixedClock is for tests.
#pragma once

#include <chrono>

namespace casecrypt {

using TimePoint = std::chrono::sys_seconds;

class Clock {
public:
    virtual ~Clock() = default;
    virtual TimePoint now() const = 0;
};

class SystemClock final : public Clock {
public:
    TimePoint now() const override {
        return std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
    }
};

class FixedClock final : public Clock {
public:
    explicit FixedClock(TimePoint at) : m_at(at) {}
    TimePoint now() const override { return m_at; }

private:
    TimePoint m_at;
};

}  // namespace casecrypt
