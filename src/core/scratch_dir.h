// ScratchDir: a private temporary directory (mode 0700) for the intermediate files of one
// operation (decrypted entities, decoded envelopes), removed with everything in it when the
// object goes away. Plaintext lives only here, never in a shared /tmp name.
#pragma once

#include <filesystem>
#include <string>

#include "core/error.h"

namespace casecrypt {

class ScratchDir {
public:
    // Creates a fresh directory under `parent` (created when missing).
    static Result<ScratchDir> create(const std::filesystem::path& parent);
    ~ScratchDir();
    ScratchDir(ScratchDir&& other) noexcept : m_path(std::move(other.m_path)) { other.m_path.clear(); }
    ScratchDir& operator=(ScratchDir&&) = delete;
    ScratchDir(const ScratchDir&) = delete;

    const std::filesystem::path& path() const { return m_path; }
    // A new, unused file name in the directory ("<stem>-<n>").
    std::filesystem::path file(const std::string& stem);

private:
    explicit ScratchDir(std::filesystem::path path) : m_path(std::move(path)) {}
    std::filesystem::path m_path;
    int m_counter = 0;
};

}  // namespace casecrypt
