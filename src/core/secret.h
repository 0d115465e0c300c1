// Secret: a password or key material that zeroes itself when it goes away and never prints.
//
// Use it for everything that must not reach a log (STYLE.md rule 8): passwords, the master key,
// private keys in transit between modules. operator<< prints "***". Not thread-safe (a value).
#pragma once

#include <cstddef>
#include <ostream>
#include <string>
#include <string_view>

namespace casecrypt {

class Secret {
public:
    Secret() = default;
    explicit Secret(std::string value) : m_value(std::move(value)) {}
    Secret(const Secret& other) : m_value(other.m_value) {}
    Secret(Secret&& other) noexcept : m_value(std::move(other.m_value)) { other.wipe(); }
    Secret& operator=(const Secret& other);
    Secret& operator=(Secret&& other) noexcept;
    ~Secret() { wipe(); }

    // The only way to read the value: the name makes every use visible in review.
    std::string_view reveal() const { return m_value; }
    const unsigned char* bytes() const {
        return reinterpret_cast<const unsigned char*>(m_value.data());
    }
    std::size_t size() const { return m_value.size(); }
    bool empty() const { return m_value.empty(); }

    void wipe();

private:
    std::string m_value;
};

inline std::ostream& operator<<(std::ostream& os, const Secret&) {
    return os << "***";
}

// Zeroes memory in a way the compiler may not optimise away.
void secure_zero(void* data, std::size_t size);

}  // namespace casecrypt
