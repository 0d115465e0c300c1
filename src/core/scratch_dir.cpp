#include "core/scratch_dir.h"

#include <stdlib.h>

#include <cerrno>
#include <cstring>

namespace casecrypt {

Result<ScratchDir> ScratchDir::create(const std::filesystem::path& parent) {
    std::error_code ec;
    std::filesystem::create_directories(parent, ec);
    std::string pattern = (parent / "work-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) {  // mkdtemp makes it 0700
        return fail(Errc::io, "cannot create a work directory in " + parent.string() + ": " +
                                  std::strerror(errno));
    }
    return ScratchDir(pattern);
}

ScratchDir::~ScratchDir() {
    if (!m_path.empty()) {
        std::error_code ec;
        std::filesystem::remove_all(m_path, ec);
    }
}

std::filesystem::path ScratchDir::file(const std::string& stem) {
    return m_path / (stem + "-" + std::to_string(++m_counter));
}

}  // namespace casecrypt
