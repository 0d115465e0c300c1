// DirectoryMailbox: Mailbox over a directory of .eml files (dir:///absolute/path), the embedded
// default when no mail server is configured.
//
// Lists the regular files named *.eml directly in the directory, oldest first (modification
// time, then name); hidden names are skipped, since a writer creates ".name.tmp" and renames it
// into place (as DirectoryTransport does), and so are subdirectories such as processed/. The key
// is the file name. done() moves a file into <path>/processed/ (created 0700; a name already
// there gets a "-<n>" suffix) or deletes it, and fsyncs the directories, so the change survives
// a crash. A missing directory is an error, not created here: the services create theirs.
// Several readers may share a directory; a file one of them already took counts as done. Not
// thread-safe.
#pragma once

#include <filesystem>
#include <string>

#include "transport/mailbox.h"

namespace casecrypt::transport {

class DirectoryMailbox final : public Mailbox {
public:
    DirectoryMailbox(std::filesystem::path dir, std::string display_url)
        : m_dir(std::move(dir)), m_display_url(std::move(display_url)) {}

    Result<std::vector<MailboxMessage>> list() override;
    Result<void> fetch(const MailboxMessage& message, const std::filesystem::path& out) override;
    Result<void> done(const MailboxMessage& message, bool remove) override;

private:
    // The message's file, if the key is a name list() could have returned.
    Result<std::filesystem::path> file_of(const MailboxMessage& message) const;
    Result<void> move_to_processed(const std::filesystem::path& file, const std::string& name);
    Error io_error(const std::string& what) const;

    std::filesystem::path m_dir;
    std::string m_display_url;
};

}  // namespace casecrypt::transport
