// UniqueFd: owns a POSIX file descriptor (STYLE.md rule 4 for the one C handle that is an int,
// not a pointer, so it gets a tiny class instead of a unique_ptr deleter). Not thread-safe.
#pragma once

#include <unistd.h>

#include <utility>

namespace casecrypt {

class UniqueFd {
public:
    UniqueFd() = default;
    explicit UniqueFd(int fd) : m_fd(fd) {}
    UniqueFd(UniqueFd&& other) noexcept : m_fd(std::exchange(other.m_fd, -1)) {}
    UniqueFd& operator=(UniqueFd&& other) noexcept {
        reset(std::exchange(other.m_fd, -1));
        return *this;
    }
    UniqueFd(const UniqueFd&) = delete;
    UniqueFd& operator=(const UniqueFd&) = delete;
    ~UniqueFd() { reset(); }

    int get() const { return m_fd; }
    explicit operator bool() const { return m_fd >= 0; }

    // Closes now and reports whether close succeeded: on some file systems a write error only
    // shows at close, and a delivery must not claim success then.
    bool close() { return ::close(std::exchange(m_fd, -1)) == 0; }

    void reset(int fd = -1) {
        if (m_fd >= 0) {
            ::close(m_fd);
        }
        m_fd = fd;
    }

private:
    int m_fd = -1;
};

}  // namespace casecrypt
