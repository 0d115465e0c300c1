// Pop3Mailbox: Mailbox over POP3 (RFC 1939) with libcurl: pop3:// (STLS when offered or
// required, RFC 2595) and pop3s://.
//
// Keys are the server's UIDLs (RFC 1939 section 7), stable across sessions; the message numbers
// that RETR and DELE need hold for one session only, so they are learnt per connection: when
// libcurl had to open a new connection for a command (the old one timed out or was closed), the
// numbers are listed again and the command repeated, and a DELE that went to such a session is
// taken back with RSET first. DELE takes effect at QUIT (RFC 1939 section 6), which libcurl
// sends when this object, and with it its connection, goes away; deletions of a session that
// breaks off without QUIT are lost, and the messages are listed again next time.
//
// Owns its MailboxSession. Not thread-safe.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>

#include "transport/mailbox.h"
#include "transport/mailbox_session.h"
#include "transport/mailbox_url.h"

namespace casecrypt::transport {

class Pop3Mailbox final : public Mailbox {
public:
    static Result<std::unique_ptr<Mailbox>> open(const MailboxSettings& settings,
                                                 const MailboxUrl& url);

    Result<std::vector<MailboxMessage>> list() override;
    Result<void> fetch(const MailboxMessage& message, const std::filesystem::path& out) override;
    Result<void> done(const MailboxMessage& message, bool remove) override;

private:
    Pop3Mailbox(std::unique_ptr<MailboxSession> session, std::string base_url)
        : m_session(std::move(session)), m_base_url(std::move(base_url)) {}
    // UIDL: this session's message numbers, oldest first.
    Result<std::vector<MailboxMessage>> learn_numbers();
    // The message's number in this session (listing first if need be); nothing if it is gone.
    Result<std::optional<std::string>> number_of(const std::string& key);
    bool refused_in_new_session() const;

    std::unique_ptr<MailboxSession> m_session;
    std::string m_base_url;                        // pop3://host:port/
    std::map<std::string, std::string> m_numbers;  // UIDL -> message number
    bool m_numbers_known = false;
};

}  // namespace casecrypt::transport
