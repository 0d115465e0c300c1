// AtomicFile: a file that appears under its final name complete or not at all.
//
// It is written under a hidden unique name (".<final name>.XXXXXX", from mkstemp) in the target
// directory, since rename(2) is only atomic within one file system; commit() fsyncs it, renames
// it over the final name and fsyncs the directory so the rename survives a crash. Destroying an
// uncommitted AtomicFile removes the temp file. Created 0600. Not thread-safe.
#pragma once

#include <filesystem>
#include <string_view>

#include "core/error.h"
#include "core/unique_fd.h"

namespace casecrypt::transport {

class AtomicFile {
public:
    static Result<AtomicFile> create(const std::filesystem::path& final_path);
    AtomicFile(AtomicFile&& other) noexcept;
    AtomicFile& operator=(AtomicFile&&) = delete;
    ~AtomicFile();

    Result<void> write(std::string_view data);
    // Appends the whole content of another file, in chunks (messages may be large).
    Result<void> copy_from(const std::filesystem::path& source);
    Result<void> commit();

private:
    AtomicFile(std::filesystem::path final_path, std::filesystem::path temp_path, UniqueFd fd)
        : m_final(std::move(final_path)), m_temp(std::move(temp_path)), m_fd(std::move(fd)) {}

    std::filesystem::path m_final;
    std::filesystem::path m_temp;  // empty once committed or moved from
    UniqueFd m_fd;
};

// fsyncs a directory, making renames and unlinks in it durable.
Result<void> sync_directory(const std::filesystem::path& dir);

}  // namespace casecrypt::transport
