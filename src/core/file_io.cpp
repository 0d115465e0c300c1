#include "core/file_io.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>

namespace casecrypt {

Result<std::string> read_file(const std::filesystem::path& path, std::size_t max_bytes) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return fail(Errc::io, "cannot read " + path.string() + ": " + std::strerror(errno));
    }
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) {
        return fail(Errc::io, "cannot read " + path.string() + ": it is a directory");
    }
    return read_stream(in, path.string(), max_bytes);
}

Result<std::string> read_stream(std::istream& in, const std::string& name,
                                std::size_t max_bytes) {
    std::string data;
    char buffer[16384];
    // Asks for at most one byte beyond the limit, however much the stream would give.
    auto wanted = [&] {
        const std::size_t left = max_bytes - data.size();  // data.size() <= max_bytes here
        return static_cast<std::streamsize>(left < sizeof buffer ? left + 1 : sizeof buffer);
    };
    while (in.read(buffer, wanted()) || in.gcount() > 0) {
        data.append(buffer, static_cast<std::size_t>(in.gcount()));
        if (data.size() > max_bytes) {
            return fail(Errc::io, "cannot read " + name + ": larger than " +
                                      std::to_string(max_bytes) + " bytes");
        }
    }
    if (in.bad()) {
        return fail(Errc::io, "cannot read " + name + ": read error");
    }
    return data;
}

Result<void> write_file_atomic(const std::filesystem::path& path, std::string_view data,
                               std::filesystem::perms perms) {
    const std::filesystem::path temp = path.string() + ".tmp." + std::to_string(getpid());
    const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
                          static_cast<mode_t>(perms));
    if (fd < 0) {
        return fail(Errc::io, "cannot write " + temp.string() + ": " + std::strerror(errno));
    }
    std::size_t written = 0;
    while (written < data.size()) {
        const ssize_t n = ::write(fd, data.data() + written, data.size() - written);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            const std::string reason = std::strerror(errno);
            ::close(fd);
            ::unlink(temp.c_str());
            return fail(Errc::io, "cannot write " + temp.string() + ": " + reason);
        }
        written += static_cast<std::size_t>(n);
    }
    if (::fsync(fd) != 0 || ::close(fd) != 0) {
        ::unlink(temp.c_str());
        return fail(Errc::io, "cannot write " + temp.string() + ": " + std::strerror(errno));
    }
    if (std::rename(temp.c_str(), path.c_str()) != 0) {
        const std::string reason = std::strerror(errno);
        ::unlink(temp.c_str());
        return fail(Errc::io, "cannot rename " + temp.string() + " to " + path.string() + ": " +
                                  reason);
    }
    return {};
}

}  // namespace casecrypt
