// ScratchDir: a private temporary directory for the intermediate files of one operation
// (decrypted entities, decoded envelopes), removed with everything in it when the object goes
// away. Plaintext lives only here, never in a shared /tmp name.
//
// What protects the plaintext when the process dies before the destructor runs (kill -9, a
// crash): the directory is 0700 (mkdtemp) and every file made through file() is created 0600
// whatever the umask; anonymous() files are unlinked from the start. The directory is named
// "work-<pid>-XXXXXX" and holds an flock(2) on itself while its ScratchDir lives, so
// remove_stale() (run when an Installation opens) can tell a leftover of a dead process from
// the live directory of a concurrent `serve` or `mail fetch` sharing the same parent, and
// removes only the former. Not thread-safe; one per operation.
#pragma once

#include <filesystem>
#include <string>

#include "core/error.h"
#include "core/unique_fd.h"

namespace casecrypt {

// A file with no name (O_TMPFILE) in a ScratchDir, for data that only needs to be read back:
// nothing of it stays on the disk after the process ends, however it ends. path() is a name
// for the open file (/proc/self/fd/N) valid while this object lives, for code that opens by
// name. Where the platform cannot do this it is an ordinary 0600 file in the directory.
class AnonymousFile {
public:
    AnonymousFile(UniqueFd fd, std::filesystem::path path)
        : m_fd(std::move(fd)), m_path(std::move(path)) {}
    const std::filesystem::path& path() const { return m_path; }
    int fd() const { return m_fd.get(); }

private:
    UniqueFd m_fd;
    std::filesystem::path m_path;
};

class ScratchDir {
public:
    // Creates a fresh directory under `parent` (created when missing).
    static Result<ScratchDir> create(const std::filesystem::path& parent);
    // Removes the work directories under `parent` whose owner is gone: their lock is free and
    // the process named in them is not running (a directory of the older "work-XXXXXX" form:
    // lock free and untouched for a minute). Returns how many it removed; never fails.
    static int remove_stale(const std::filesystem::path& parent);
    ~ScratchDir();
    ScratchDir(ScratchDir&& other) noexcept
        : m_path(std::exchange(other.m_path, {})),
          m_lock(std::move(other.m_lock)),
          m_counter(other.m_counter) {}
    ScratchDir& operator=(ScratchDir&&) = delete;
    ScratchDir(const ScratchDir&) = delete;

    const std::filesystem::path& path() const { return m_path; }
    // A new, empty file "<stem>-<n>", created 0600 so that whatever writes it later by name
    // (std::ofstream, fopen, GMime) keeps that mode.
    std::filesystem::path file(const std::string& stem);
    // A new file without a name; see AnonymousFile.
    Result<AnonymousFile> anonymous(const std::string& stem);

private:
    ScratchDir(std::filesystem::path path, UniqueFd lock)
        : m_path(std::move(path)), m_lock(std::move(lock)) {}
    std::filesystem::path m_path;
    UniqueFd m_lock;  // the directory itself, flock'ed while we live
    int m_counter = 0;
};

}  // namespace casecrypt
