#include "transport/directory_mailbox.h"

#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <system_error>
#include <vector>

#include "core/unique_fd.h"
#include "transport/atomic_file.h"
#include "transport/message_file.h"

namespace casecrypt::transport {

namespace {

constexpr std::string_view kSuffix = ".eml";
constexpr int kMaxSuffix = 1000;

bool is_message_name(const std::string& name) {
    return name.size() > kSuffix.size() && name.front() != '.' && name.ends_with(kSuffix) &&
           name.find('/') == std::string::npos && name.find('\0') == std::string::npos;
}

// "name.eml" -> "name-<n>.eml".
std::string with_suffix(const std::string& name, int n) {
    return name.substr(0, name.size() - kSuffix.size()) + "-" + std::to_string(n) +
           std::string(kSuffix);
}

std::string errno_text() {
    return std::strerror(errno);
}

}  // namespace

Error DirectoryMailbox::io_error(const std::string& what) const {
    return Error(Errc::io, "mailbox " + m_display_url + ": " + what);
}

Result<std::vector<MailboxMessage>> DirectoryMailbox::list() {
    std::error_code ec;
    const auto status = std::filesystem::status(m_dir, ec);
    if (!std::filesystem::is_directory(status)) {
        return std::unexpected(io_error(
            "the mail directory " + m_dir.string() +
            (std::filesystem::exists(status) ? " is not a directory" : " does not exist")));
    }
    struct Found {
        std::filesystem::file_time_type mtime;
        std::string name;
        std::uint64_t size = 0;
    };
    std::vector<Found> found;
    std::filesystem::directory_iterator it(m_dir, ec);
    for (; !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
        const std::string name = it->path().filename().string();
        std::error_code entry_ec;
        // Not symlinks: a link could make a file outside the directory look like mail.
        if (!is_message_name(name) || !it->is_regular_file(entry_ec) || it->is_symlink(entry_ec)) {
            continue;
        }
        const auto mtime = it->last_write_time(entry_ec);
        const auto size = it->file_size(entry_ec);
        if (entry_ec) {
            continue;  // taken by another reader meanwhile
        }
        found.push_back({mtime, name, size});
    }
    if (ec) {
        return std::unexpected(io_error("cannot read " + m_dir.string() + ": " + ec.message()));
    }
    std::sort(found.begin(), found.end(), [](const Found& a, const Found& b) {
        return a.mtime != b.mtime ? a.mtime < b.mtime : a.name < b.name;
    });
    std::vector<MailboxMessage> messages;
    messages.reserve(found.size());
    for (const Found& f : found) {
        messages.push_back({f.name, f.size});
    }
    return messages;
}

Result<std::filesystem::path> DirectoryMailbox::file_of(const MailboxMessage& message) const {
    if (!is_message_name(message.key)) {
        return fail(Errc::usage, "mailbox " + m_display_url + ": \"" + message.key +
                                     "\" is not the name of a message file (*.eml)");
    }
    return m_dir / message.key;
}

Result<void> DirectoryMailbox::fetch(const MailboxMessage& message,
                                     const std::filesystem::path& out) {
    auto file = file_of(message);
    if (!file) {
        return std::unexpected(file.error());
    }
    UniqueFd in(::open(file->c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
    if (!in && errno == ENOENT) {
        // Listed, then taken by another reader of this directory (a second `mail fetch`, a
        // node of the same installation): its mail, not an error of ours.
        return fail(Errc::not_found, "mailbox " + m_display_url + ": " + message.key +
                                         " was taken by another reader");
    }
    if (!in) {
        return std::unexpected(io_error("cannot read " + file->string() + ": " + errno_text()));
    }
    auto copy = MessageFile::create(out);
    if (!copy) {
        return std::unexpected(copy.error());
    }
    std::vector<char> buffer(64 * 1024);
    for (;;) {
        const ssize_t n = ::read(in.get(), buffer.data(), buffer.size());
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            return std::unexpected(io_error("cannot read " + file->string() + ": " + errno_text()));
        }
        if (n == 0) {
            return copy->close();
        }
        if (auto ok = copy->write(std::string_view(buffer.data(), static_cast<std::size_t>(n)));
            !ok) {
            return ok;
        }
    }
}

Result<void> DirectoryMailbox::done(const MailboxMessage& message, bool remove) {
    auto file = file_of(message);
    if (!file) {
        return std::unexpected(file.error());
    }
    if (!remove) {
        return move_to_processed(*file, message.key);
    }
    if (::unlink(file->c_str()) != 0 && errno != ENOENT) {  // ENOENT: another reader took it
        return std::unexpected(io_error("cannot delete " + file->string() + ": " + errno_text()));
    }
    return sync_directory(m_dir);
}

Result<void> DirectoryMailbox::move_to_processed(const std::filesystem::path& file,
                                                 const std::string& name) {
    const std::filesystem::path processed = m_dir / "processed";
    if (::mkdir(processed.c_str(), 0700) != 0 && errno != EEXIST) {
        return std::unexpected(
            io_error("cannot create " + processed.string() + ": " + errno_text()));
    }
    for (int n = 0; n <= kMaxSuffix; ++n) {
        const std::filesystem::path target = processed / (n == 0 ? name : with_suffix(name, n));
        // RENAME_NOREPLACE: an earlier message of the same name is never overwritten, even by
        // a reader racing us.
        if (::renameat2(AT_FDCWD, file.c_str(), AT_FDCWD, target.c_str(), RENAME_NOREPLACE) == 0) {
            if (auto ok = sync_directory(processed); !ok) {
                return ok;
            }
            return sync_directory(m_dir);
        }
        if (errno == ENOENT) {
            return {};  // another reader took it
        }
        if (errno != EEXIST) {
            return std::unexpected(io_error("cannot move " + file.string() + " into " +
                                            processed.string() + ": " + errno_text()));
        }
    }
    return std::unexpected(io_error("cannot move " + file.string() + " into " + processed.string() +
                                    ": too many files named like it there"));
}

}  // namespace casecrypt::transport
