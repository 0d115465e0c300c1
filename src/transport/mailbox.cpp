// check_mailbox_url and open_mailbox (mailbox.h): the URL's scheme picks the implementation.
#include "transport/mailbox.h"

#include "transport/directory_mailbox.h"
#include "transport/imap_mailbox.h"
#include "transport/mailbox_url.h"
#include "transport/pop3_mailbox.h"

namespace casecrypt::transport {

Result<void> check_mailbox_url(const std::string& url) {
    if (auto parsed = parse_mailbox_url(url); !parsed) {
        return std::unexpected(parsed.error());
    }
    return {};
}

// IMAP and POP3 connect lazily, on the first list() or fetch(): opening only builds the handle.
Result<std::unique_ptr<Mailbox>> open_mailbox(const MailboxSettings& settings) {
    auto url = parse_mailbox_url(settings.url);
    if (!url) {
        return std::unexpected(url.error());
    }
    if (settings.timeout.count() <= 0) {
        return fail(Errc::usage, "the mailbox timeout must be at least one second");
    }
    switch (url->kind) {
        case MailboxUrl::Kind::imap:
            return ImapMailbox::open(settings, *url);
        case MailboxUrl::Kind::pop3:
            return Pop3Mailbox::open(settings, *url);
        case MailboxUrl::Kind::directory:
            break;
    }
    return std::unique_ptr<Mailbox>(
        std::make_unique<DirectoryMailbox>(url->directory, url->base()));
}

}  // namespace casecrypt::transport
