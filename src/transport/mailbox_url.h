// MailboxUrl: a mailbox URL (mailbox.h, MailboxSettings::url) taken apart, and the libcurl URLs
// built back from it.
//
// Why rebuild: libcurl reads more out of an IMAP URL than a folder (";UID=", "?SEARCH", RFC
// 5092), so the admin's URL is reduced to scheme, host, port and folder, and every URL libcurl
// is given is assembled here with the folder percent-encoded. Credentials in the URL are refused:
// they belong in MailboxSettings::user/password, where a Secret keeps the password out of logs.
// Values; thread-safe as any value.
#pragma once

#include <filesystem>
#include <string>

#include "core/error.h"

namespace casecrypt::transport {

struct MailboxUrl {
    enum class Kind { imap, pop3, directory };
    Kind kind = Kind::directory;
    bool tls = false;                 // imaps://, pop3s://: TLS from the first byte
    std::string scheme;               // imap, imaps, pop3, pop3s, dir
    std::string authority;            // host[:port] as libcurl normalised it ("[::1]:993")
    std::string folder;               // IMAP: percent-decoded, INBOX when the URL names none
    std::filesystem::path directory;  // dir://: the absolute path, taken literally

    // scheme://authority/ with the folder percent-encoded: imap://127.0.0.1:143/Team%20Inbox.
    // For messages too: it holds no credentials.
    std::string base() const;
};

// Errc::usage naming the problem (never repeating the URL, which might hold a password):
// an unknown scheme, no host, user or password in the URL, a query or fragment, IMAP URL
// parameters (";UID=" ...), a path on a POP3 URL, a relative or empty directory.
Result<MailboxUrl> parse_mailbox_url(const std::string& url);

}  // namespace casecrypt::transport
