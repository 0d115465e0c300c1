#include "core/scratch_dir.h"

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstring>

namespace casecrypt {
namespace {

constexpr std::string_view kPrefix = "work-";
constexpr auto kOldFormAge = std::chrono::minutes(1);

// "work-<pid>-XXXXXX" -> pid; 0 for the older "work-XXXXXX" form or anything else.
pid_t owner_pid(std::string_view name) {
    name.remove_prefix(kPrefix.size());
    const auto dash = name.find('-');
    if (dash == std::string_view::npos || dash == 0) {
        return 0;
    }
    pid_t pid = 0;
    const auto [end, ec] = std::from_chars(name.data(), name.data() + dash, pid);
    return ec == std::errc() && end == name.data() + dash ? pid : 0;
}

bool running(pid_t pid) {
    return ::kill(pid, 0) == 0 || errno == EPERM;
}

bool is_stale(std::string_view name, int locked_fd) {
    if (const pid_t pid = owner_pid(name); pid > 0) {
        return !running(pid);
    }
    struct stat st {};
    if (::fstat(locked_fd, &st) != 0) {
        return false;
    }
    const auto age =
        std::chrono::system_clock::now() - std::chrono::system_clock::from_time_t(st.st_mtime);
    return age > kOldFormAge;
}

}  // namespace

Result<ScratchDir> ScratchDir::create(const std::filesystem::path& parent) {
    std::error_code ec;
    std::filesystem::create_directories(parent, ec);
    std::string pattern =
        (parent / (std::string(kPrefix) + std::to_string(::getpid()) + "-XXXXXX")).string();
    if (::mkdtemp(pattern.data()) == nullptr) {  // mkdtemp makes it 0700
        return fail(Errc::io, "cannot create a work directory in " + parent.string() + ": " +
                                  std::strerror(errno));
    }
    UniqueFd lock(::open(pattern.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!lock || ::flock(lock.get(), LOCK_EX) != 0) {
        const std::string reason = std::strerror(errno);
        ::rmdir(pattern.c_str());
        return fail(Errc::io, "cannot lock the work directory " + pattern + ": " + reason);
    }
    return ScratchDir(pattern, std::move(lock));
}

int ScratchDir::remove_stale(const std::filesystem::path& parent) {
    std::error_code ec;
    int removed = 0;
    for (std::filesystem::directory_iterator it(parent, ec), end; !ec && it != end;
         it.increment(ec)) {
        const std::string name = it->path().filename().string();
        if (!name.starts_with(kPrefix) || !it->is_directory(ec) || it->is_symlink(ec)) {
            continue;
        }
        UniqueFd lock(::open(it->path().c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
        // A live ScratchDir holds its lock: a concurrent `serve` or `mail fetch` keeps its own.
        if (!lock || ::flock(lock.get(), LOCK_EX | LOCK_NB) != 0) {
            continue;
        }
        if (is_stale(name, lock.get())) {
            std::error_code rm;
            std::filesystem::remove_all(it->path(), rm);
            removed += rm ? 0 : 1;
        }
    }
    return removed;
}

ScratchDir::~ScratchDir() {
    if (!m_path.empty()) {
        std::error_code ec;
        std::filesystem::remove_all(m_path, ec);
    }
}

std::filesystem::path ScratchDir::file(const std::string& stem) {
    for (;;) {
        auto path = m_path / (stem + "-" + std::to_string(++m_counter));
        // O_EXCL: a fresh file, no symbolic link followed; the mode is set here, not by the
        // umask of whatever opens it next.
        UniqueFd fd(
            ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
        if (fd) {
            ::fchmod(fd.get(), 0600);
        }
        if (fd || errno != EEXIST) {
            return path;  // a failure to create shows when the caller writes it
        }
    }
}

Result<AnonymousFile> ScratchDir::anonymous(const std::string& stem) {
    UniqueFd fd(::open(m_path.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600));
    if (fd) {
        std::filesystem::path name = "/proc/self/fd/" + std::to_string(fd.get());
        if (struct stat st{}; ::fchmod(fd.get(), 0600) == 0 && ::stat(name.c_str(), &st) == 0) {
            return AnonymousFile(std::move(fd), std::move(name));
        }
    }
    // No O_TMPFILE on this file system, or no /proc: a named 0600 file in the directory.
    auto path = file(stem);
    UniqueFd named(::open(path.c_str(), O_RDWR | O_NOFOLLOW | O_CLOEXEC));
    if (!named) {
        return fail(Errc::io, "cannot create " + path.string() + ": " + std::strerror(errno));
    }
    return AnonymousFile(std::move(named), std::move(path));
}

}  // namespace casecrypt
