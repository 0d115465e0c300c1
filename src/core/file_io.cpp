#include "core/file_io.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include "core/output_file.h"
#include "core/unique_fd.h"

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

Result<std::string> read_stream(std::istream& in, const std::string& name, std::size_t max_bytes) {
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
    auto out = OutputFile::open(path, perms);
    if (!out) {
        return std::unexpected(out.error());
    }
    if (auto written = out->write(data); !written) {
        return written;
    }
    return out->commit();
}

Result<void> create_private_file(const std::filesystem::path& path) {
    UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600));
    if (!fd || ::fchmod(fd.get(), 0600) != 0 || !fd.close()) {
        return fail(Errc::io, "cannot write " + path.string() + ": " + std::strerror(errno));
    }
    return {};
}

}  // namespace casecrypt
