// OutputFile: the one way a command writes a file the user named (`--out X`, `-` for standard
// output), so that writing never destroys what was there.
//
// The rule (docs/cli.md, "Output files"):
// - A regular file, or a name that does not exist yet, is written through a temporary file
//   ".<name>.XXXXXX" (mkstemp: unique, 0600) in the same directory (rename(2) is only atomic
//   within one file system); commit() fsyncs it and renames it into place. Until then an
//   existing file is untouched, and an OutputFile destroyed without commit() removes only its
//   own temporary file. A new file gets `new_file_perms`; a replaced one keeps its mode and,
//   where permitted, its owner. A symbolic link to a regular file is followed: the file it
//   names is replaced, the link stays.
// - Anything else that exists (a character or block device, a fifo, a socket, `/dev/stdout`
//   as a pipe, and `-`) is opened as it is and written straight into; it is never unlinked,
//   truncated, renamed over or replaced by a regular file, also when writing fails.
// - A directory or a dangling symbolic link is refused.
//
// Producers that need a path (the S/MIME engine writes into a file name) use temp_path() for a
// regular target; for a stream target they write elsewhere and copy_from() that file.
// Not thread-safe; one per output.
#pragma once

#include <filesystem>
#include <optional>
#include <string_view>

#include "core/error.h"
#include "core/unique_fd.h"

namespace casecrypt {

class OutputFile {
public:
    static constexpr std::filesystem::perms kPrivate =
        std::filesystem::perms::owner_read | std::filesystem::perms::owner_write;

    // `target` "-" means standard output. Opening a fifo waits for its reader, as any writer
    // does.
    static Result<OutputFile> open(const std::filesystem::path& target,
                                   std::filesystem::perms new_file_perms = kPrivate);
    OutputFile(OutputFile&& other) noexcept;
    OutputFile& operator=(OutputFile&&) = delete;
    ~OutputFile();

    // The temporary file a producer may write the whole content into (it exists, 0600, empty),
    // when the target is a regular file; nullopt for a stream target.
    std::optional<std::filesystem::path> temp_path() const;
    bool is_stream() const { return m_stream; }
    const std::filesystem::path& target() const { return m_target; }

    Result<void> write(std::string_view data);
    // Appends the whole content of a file, in chunks (a decrypted message may be 1 GiB).
    Result<void> copy_from(const std::filesystem::path& source);
    // Regular target: fsync, rename over the target, fsync the directory. Stream target: the
    // data is already written (a device such as /dev/null has nothing to sync).
    Result<void> commit();

private:
    OutputFile(std::filesystem::path target, std::filesystem::path final_path,
               std::filesystem::path temp, UniqueFd fd, bool stream)
        : m_target(std::move(target)),
          m_final(std::move(final_path)),
          m_temp(std::move(temp)),
          m_fd(std::move(fd)),
          m_stream(stream) {}
    int fd() const { return m_fd ? m_fd.get() : STDOUT_FILENO; }
    std::string name() const;

    std::filesystem::path m_target;  // as the user wrote it, for messages
    std::filesystem::path m_final;   // what the rename replaces (symbolic links resolved)
    std::filesystem::path m_temp;    // empty for a stream target, and once committed
    UniqueFd m_fd;                   // empty for standard output, which is not ours to close
    bool m_stream = false;
    unsigned m_mode = 0600;  // what a regular target ends up with
};

}  // namespace casecrypt
