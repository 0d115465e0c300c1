// Reading and writing whole small files (certificates, key files, passwords) with errors that
// name the file. Writing follows OutputFile's rule: a regular file is replaced atomically (a
// unique temp file in the same directory, then rename), a device or fifo is written into and
// never replaced.
#pragma once

#include <filesystem>
#include <istream>
#include <string>

#include "core/error.h"

namespace casecrypt {

// Fails with Errc::io and "cannot read PATH: reason". Refuses files larger than max_bytes.
Result<std::string> read_file(const std::filesystem::path& path,
                              std::size_t max_bytes = 64 * 1024 * 1024);

// Reads a stream (standard input, a pipe) to its end, the same way: Errc::io "cannot read
// NAME: larger than N bytes" as soon as it gives more than max_bytes, without reading on (so
// `</dev/zero` ends at once instead of filling memory).
Result<std::string> read_stream(std::istream& in, const std::string& name, std::size_t max_bytes);

// Writes through OutputFile; a new file gets the given permission bits (e.g. 0600 for key
// files), a replaced one keeps its own.
Result<void> write_file_atomic(const std::filesystem::path& path, std::string_view data,
                               std::filesystem::perms perms);

// Creates `path` empty with mode 0600 (an existing regular file is emptied and made 0600), so
// that whatever opens it next by name (std::ofstream, fopen, a library) keeps that mode
// whatever the umask. Does not follow a symbolic link.
Result<void> create_private_file(const std::filesystem::path& path);

}  // namespace casecrypt
