// ImapMailbox: Mailbox over IMAP4rev1 (RFC 3501) with libcurl: imap:// (STARTTLS when offered or
// required) and imaps://. One folder, selected read-write once per connection.
//
// Keys are "<UIDVALIDITY>:<UID>" (RFC 3501 2.3.1.1: the pair names a message for good). Every
// URL that acts on a message carries ";UIDVALIDITY=", so libcurl refuses it rather than touch
// another message if the folder was recreated. libcurl 7.62 and later send "UID FETCH" for
// ";UID=" (older ones sent FETCH with a sequence number); tests/transport/mailbox_test.cpp
// proves the right message comes back after expunges.
//
// Owns its MailboxSession (one connection, LOGOUT when destroyed). Not thread-safe.
#pragma once

#include <memory>
#include <string>

#include "transport/mailbox.h"
#include "transport/mailbox_session.h"
#include "transport/mailbox_url.h"

namespace casecrypt::transport {

class ImapMailbox final : public Mailbox {
public:
    static Result<std::unique_ptr<Mailbox>> open(const MailboxSettings& settings,
                                                 const MailboxUrl& url);

    Result<std::vector<MailboxMessage>> list() override;
    Result<void> fetch(const MailboxMessage& message, const std::filesystem::path& out) override;
    Result<void> done(const MailboxMessage& message, bool remove) override;

private:
    ImapMailbox(std::unique_ptr<MailboxSession> session, std::string folder_url);
    // A custom command on the selected folder; its untagged answers go to `answers`.
    Result<void> command(const std::string& url, const std::string& command, TextSink& answers);

    std::string m_folder_url;    // imap://host:port/<folder, percent-encoded>
    std::string m_uidvalidity;   // announced by the last SELECT (each new connection has one)
    std::uint64_t m_exists = 0;  // messages in the folder, as the server last announced
    // Last, so it goes first: its line observer writes m_uidvalidity, and cleanup (LOGOUT) may
    // still see lines.
    std::unique_ptr<MailboxSession> m_session;
};

}  // namespace casecrypt::transport
