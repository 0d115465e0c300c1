#include "core/secret.h"

#include <cstring>

namespace casecrypt {

void secure_zero(void* data, std::size_t size) {
    if (data != nullptr && size > 0) {
        explicit_bzero(data, size);
    }
}

Secret& Secret::operator=(const Secret& other) {
    if (this != &other) {
        wipe();
        m_value = other.m_value;
    }
    return *this;
}

Secret& Secret::operator=(Secret&& other) noexcept {
    if (this != &other) {
        wipe();
        m_value = std::move(other.m_value);
        other.wipe();
    }
    return *this;
}

void Secret::wipe() {
    // Zero the whole buffer, including capacity beyond size() that may hold older contents.
    m_value.resize(m_value.capacity());
    secure_zero(m_value.data(), m_value.size());
    m_value.clear();
}

}  // namespace casecrypt
