#include "transport/atomic_file.h"

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace casecrypt::transport {

namespace {

Error io_error(const char* what, const std::filesystem::path& path) {
    const int err = errno;  // before anything below can overwrite it
    return Error(Errc::io,
                 std::string("cannot ") + what + " " + path.string() + ": " + std::strerror(err));
}

}  // namespace

Result<AtomicFile> AtomicFile::create(const std::filesystem::path& final_path) {
    std::string pattern =
        (final_path.parent_path() / ("." + final_path.filename().string() + ".XXXXXX")).string();
    // mkstemp creates the file 0600 and fails rather than reuse a name.
    UniqueFd fd(::mkostemp(pattern.data(), O_CLOEXEC));
    if (!fd) {
        return std::unexpected(io_error("create a file like", pattern));
    }
    return AtomicFile(final_path, pattern, std::move(fd));
}

AtomicFile::AtomicFile(AtomicFile&& other) noexcept
    : m_final(std::move(other.m_final)),
      m_temp(std::exchange(other.m_temp, {})),
      m_fd(std::move(other.m_fd)) {}

AtomicFile::~AtomicFile() {
    if (!m_temp.empty()) {
        ::unlink(m_temp.c_str());
    }
}

Result<void> AtomicFile::write(std::string_view data) {
    while (!data.empty()) {
        const ssize_t n = ::write(m_fd.get(), data.data(), data.size());
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            return std::unexpected(io_error("write", m_temp));
        }
        data.remove_prefix(static_cast<std::size_t>(n));
    }
    return {};
}

Result<void> AtomicFile::copy_from(const std::filesystem::path& source) {
    UniqueFd in(::open(source.c_str(), O_RDONLY | O_CLOEXEC));
    if (!in) {
        return std::unexpected(io_error("read", source));
    }
    std::vector<char> buffer(64 * 1024);
    for (;;) {
        const ssize_t n = ::read(in.get(), buffer.data(), buffer.size());
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            return std::unexpected(io_error("read", source));
        }
        if (n == 0) {
            return {};
        }
        if (auto ok = write(std::string_view(buffer.data(), static_cast<std::size_t>(n))); !ok) {
            return ok;
        }
    }
}

Result<void> AtomicFile::commit() {
    if (::fsync(m_fd.get()) != 0 || !m_fd.close()) {
        return std::unexpected(io_error("write", m_temp));
    }
    if (::rename(m_temp.c_str(), m_final.c_str()) != 0) {
        return std::unexpected(io_error("rename into place", m_final));
    }
    m_temp.clear();
    return sync_directory(m_final.parent_path());
}

Result<void> sync_directory(const std::filesystem::path& dir) {
    const std::filesystem::path target = dir.empty() ? std::filesystem::path(".") : dir;
    UniqueFd fd(::open(target.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!fd || ::fsync(fd.get()) != 0) {
        return std::unexpected(io_error("sync the directory", target));
    }
    return {};
}

}  // namespace casecrypt::transport
