#include "transport/message_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace casecrypt::transport {

namespace {

Error io_error(const char* what, const std::filesystem::path& path) {
    const int err = errno;  // before anything below can overwrite it
    return Error(Errc::io,
                 std::string("cannot ") + what + " " + path.string() + ": " + std::strerror(err));
}

}  // namespace

Result<MessageFile> MessageFile::create(const std::filesystem::path& path) {
    UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
    if (!fd) {
        return std::unexpected(io_error("create", path));
    }
    return MessageFile(path, std::move(fd));
}

Result<void> MessageFile::write(std::string_view data) {
    while (!data.empty()) {
        const ssize_t n = ::write(m_fd.get(), data.data(), data.size());
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            return std::unexpected(io_error("write", m_path));
        }
        data.remove_prefix(static_cast<std::size_t>(n));
    }
    return {};
}

Result<void> MessageFile::close() {
    if (!m_fd.close()) {
        return std::unexpected(io_error("write", m_path));
    }
    return {};
}

}  // namespace casecrypt::transport
