// Reading and writing whole small files (certificates, key files, passwords) with errors that
// name the file. Writing is atomic: a temp file in the same directory, then rename.
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

// Writes atomically with the given permission bits (e.g. 0600 for key files).
Result<void> write_file_atomic(const std::filesystem::path& path, std::string_view data,
                               std::filesystem::perms perms);

}  // namespace casecrypt
