#include "core/output_file.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace casecrypt {
namespace {

Error io_error(const std::string& what, const std::string& name, int err) {
    return Error(Errc::io, "cannot " + what + " " + name + ": " + std::strerror(err));
}

Result<void> write_all(int fd, std::string_view data, const std::string& name) {
    while (!data.empty()) {
        const ssize_t n = ::write(fd, data.data(), data.size());
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            return std::unexpected(io_error("write", name, errno));
        }
        data.remove_prefix(static_cast<std::size_t>(n));
    }
    return {};
}

}  // namespace

Result<OutputFile> OutputFile::open(const std::filesystem::path& target,
                                    std::filesystem::perms new_file_perms) {
    if (target == "-") {
        return OutputFile(target, {}, {}, UniqueFd(), /*stream=*/true);
    }
    const std::string name = target.string();
    struct stat st {};
    std::filesystem::path final_path = target;
    mode_t mode = static_cast<mode_t>(new_file_perms);
    bool replacing = false;
    if (::stat(target.c_str(), &st) == 0) {
        if (S_ISDIR(st.st_mode)) {
            return fail(Errc::io, "cannot write " + name + ": it is a directory");
        }
        if (!S_ISREG(st.st_mode)) {
            // A device, fifo or socket: written into as it is, never replaced (no O_CREAT, no
            // O_TRUNC: /dev/null stays /dev/null whatever happens next).
            UniqueFd fd(::open(target.c_str(), O_WRONLY | O_NOCTTY | O_CLOEXEC));
            if (!fd) {
                return std::unexpected(io_error("write", name, errno));
            }
            return OutputFile(target, target, {}, std::move(fd), /*stream=*/true);
        }
        std::error_code ec;
        final_path = std::filesystem::canonical(target, ec);  // replace the file, keep a link
        if (ec) {
            return fail(Errc::io, "cannot write " + name + ": " + ec.message());
        }
        mode = st.st_mode & 07777;
        replacing = true;
    } else if (errno != ENOENT) {
        return std::unexpected(io_error("write", name, errno));
    } else if (struct stat link{}; ::lstat(target.c_str(), &link) == 0) {
        return fail(Errc::io, "cannot write " + name + ": a symbolic link to nothing");
    }

    const std::filesystem::path dir =
        final_path.has_parent_path() ? final_path.parent_path() : std::filesystem::path(".");
    std::string pattern = (dir / ("." + final_path.filename().string() + ".XXXXXX")).string();
    // mkstemp: a name nobody else can predict or have taken, created 0600.
    UniqueFd fd(::mkostemp(pattern.data(), O_CLOEXEC));
    if (!fd) {
        return std::unexpected(io_error("create a temporary file in", dir.string(), errno));
    }
    OutputFile file(target, final_path, pattern, std::move(fd), /*stream=*/false);
    file.m_mode = mode;
    if (replacing && (st.st_uid != ::geteuid() || st.st_gid != ::getegid())) {
        // Keep the owner where we may (root replacing another user's file); otherwise the
        // replaced file is ours, as any rewritten file would be.
        if (::fchown(file.m_fd.get(), st.st_uid, st.st_gid) != 0) {
            file.m_mode &= ~static_cast<mode_t>(S_ISUID | S_ISGID);
        }
    }
    if (::fchmod(file.m_fd.get(), file.m_mode) != 0) {
        return std::unexpected(io_error("write", pattern, errno));
    }
    return file;
}

OutputFile::OutputFile(OutputFile&& other) noexcept
    : m_target(std::move(other.m_target)),
      m_final(std::move(other.m_final)),
      m_temp(std::exchange(other.m_temp, {})),
      m_fd(std::move(other.m_fd)),
      m_stream(other.m_stream),
      m_mode(other.m_mode) {}

OutputFile::~OutputFile() {
    if (!m_temp.empty()) {
        ::unlink(m_temp.c_str());  // only ever our own temporary file
    }
}

std::optional<std::filesystem::path> OutputFile::temp_path() const {
    if (m_stream || m_temp.empty()) {
        return std::nullopt;
    }
    return m_temp;
}

std::string OutputFile::name() const {
    return m_target == "-" ? std::string("standard output") : m_target.string();
}

Result<void> OutputFile::write(std::string_view data) {
    return write_all(fd(), data, name());
}

Result<void> OutputFile::copy_from(const std::filesystem::path& source) {
    UniqueFd in(::open(source.c_str(), O_RDONLY | O_CLOEXEC));
    if (!in) {
        return std::unexpected(io_error("read", source.string(), errno));
    }
    std::vector<char> buffer(64 * 1024);
    for (;;) {
        const ssize_t n = ::read(in.get(), buffer.data(), buffer.size());
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            return std::unexpected(io_error("read", source.string(), errno));
        }
        if (n == 0) {
            return {};
        }
        if (auto ok = write(std::string_view(buffer.data(), static_cast<std::size_t>(n))); !ok) {
            return ok;
        }
    }
}

Result<void> OutputFile::commit() {
    if (m_stream) {
        if (m_fd && !m_fd.close()) {
            return std::unexpected(io_error("write", name(), errno));
        }
        return {};
    }
    if (m_temp.empty()) {
        return fail(Errc::internal, "the output " + name() + " was already committed");
    }
    // A producer that wrote by name may have changed the mode (copy_file copies its source's).
    if (::fchmod(m_fd.get(), m_mode) != 0 || ::fsync(m_fd.get()) != 0 || !m_fd.close()) {
        return std::unexpected(io_error("write", m_temp.string(), errno));
    }
    // Something other than a regular file put there meanwhile is not ours to replace.
    if (struct stat st{}; ::lstat(m_final.c_str(), &st) == 0 && !S_ISREG(st.st_mode)) {
        return fail(Errc::io,
                    "cannot write " + name() + ": it is no longer a regular file, left as it is");
    }
    if (::rename(m_temp.c_str(), m_final.c_str()) != 0) {
        return std::unexpected(io_error("rename into place", name(), errno));
    }
    m_temp.clear();
    const std::filesystem::path dir =
        m_final.has_parent_path() ? m_final.parent_path() : std::filesystem::path(".");
    UniqueFd dir_fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!dir_fd || ::fsync(dir_fd.get()) != 0) {
        return std::unexpected(io_error("sync the directory", dir.string(), errno));
    }
    return {};
}

}  // namespace casecrypt
