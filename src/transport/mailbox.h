// Mailbox: reads incoming mail from where it waits: an IMAP folder or a POP3 maildrop (libcurl),
// or a directory of .eml files (the embedded default). The incoming pipeline (services) lists,
// fetches each message it has not stored yet, stores it, and only then calls done(); so the
// key of a message must be stable across sessions: it is what makes "fetched once" work.
//
// Implementations are not thread-safe; open one per worker and mailbox.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/secret.h"

namespace casecrypt::transport {

struct MailboxSettings {
    // imap://host[:port][/FOLDER]   (INBOX when no folder; STARTTLS when the server offers it;
    //                                the folder percent-encoded: Team%20Inbox)
    // imaps://host[:port][/FOLDER]  (TLS from the first byte)
    // pop3://host[:port]/  pop3s://host[:port]/
    // dir:///absolute/path          (*.eml files; done() moves them into <path>/processed/;
    //                                the path taken literally, not percent-decoded)
    // No user or password in the URL: they go in the fields below.
    std::string url;
    std::string user;  // empty: no login (dir://, or a server that needs none)
    Secret password;
    // Refuse to go on over a connection that is not encrypted (imap://, pop3:// whose server
    // offers no STARTTLS). Without it, STARTTLS is still used whenever the server offers it.
    bool require_tls = false;
    // Bounds each wait: connecting, each server reply, any stretch of a transfer that moves no
    // byte. A dead or silent server costs about this much, not more.
    std::chrono::seconds timeout{60};
    std::filesystem::path ca_file;  // PEM CA certificates to trust; empty: the system's store
};

struct MailboxMessage {
    // Stable and unique within the mailbox, also across sessions:
    //   IMAP  "<UIDVALIDITY>:<UID>"   POP3  the UIDL   directory  the file name
    std::string key;
    std::uint64_t size = 0;  // as the server announced it (0 if unknown)
    // IMAP: flagged \Deleted but not expunged yet (by us in a round that was cut short, or by
    // another client). Such a message is not fetched; done(remove=true) finishes it.
    bool deleted = false;
};

class Mailbox {
public:
    virtual ~Mailbox() = default;
    // The messages now in the mailbox, oldest first (IMAP: not flagged \Deleted).
    // Errc::io when the server cannot be reached, refuses the login, or the folder is missing;
    // the message names the mailbox (URL without password) and what went wrong.
    virtual Result<std::vector<MailboxMessage>> list() = 0;
    // Writes the message's raw bytes, exactly as the server sends them, to `out` (created or
    // truncated, 0600), as they arrive. IMAP and POP3 send lines ending in CRLF (RFC 3501 2.3.4,
    // RFC 1939 3), so a message the server stores with bare LFs comes with CRLFs; a directory's
    // file comes as it is. Errc::io on a transfer failure (out may then hold part of it);
    // Errc::not_found when the message went away since list() (another reader took it).
    virtual Result<void> fetch(const MailboxMessage& message, const std::filesystem::path& out) = 0;
    // Called after the message is stored for good: remove it from the mailbox (IMAP \Deleted +
    // expunge, POP3 DELE, directory: delete the file), or else leave it marked as read (IMAP
    // \Seen; POP3: nothing to do, the UIDL is remembered; directory: move the file into
    // <path>/processed/).
    virtual Result<void> done(const MailboxMessage& message, bool remove) = 0;
};

// Checks a URL's form (scheme, host, folder) without connecting. Errc::usage naming the problem.
Result<void> check_mailbox_url(const std::string& url);

// Opens (connects lazily or at once, as the kind likes) a mailbox for the settings.
Result<std::unique_ptr<Mailbox>> open_mailbox(const MailboxSettings& settings);

}  // namespace casecrypt::transport
