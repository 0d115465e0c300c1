// MessageFile: the file Mailbox::fetch() writes a message into as it arrives, in pieces, so a
// large message never has to fit in memory. Created or truncated, mode 0600 (mail is private);
// close() reports a write error that only shows at close. Not thread-safe.
#pragma once

#include <filesystem>
#include <string_view>

#include "core/error.h"
#include "core/unique_fd.h"

namespace casecrypt::transport {

class MessageFile {
public:
    static Result<MessageFile> create(const std::filesystem::path& path);

    Result<void> write(std::string_view data);
    Result<void> close();

private:
    MessageFile(std::filesystem::path path, UniqueFd fd)
        : m_path(std::move(path)), m_fd(std::move(fd)) {}

    std::filesystem::path m_path;
    UniqueFd m_fd;
};

}  // namespace casecrypt::transport
