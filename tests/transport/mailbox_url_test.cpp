// check_mailbox_url and parse_mailbox_url (mailbox_url.h): what passes, what is refused and how,
// and the URLs rebuilt for libcurl.
#include "transport/mailbox_url.h"

#include <gtest/gtest.h>

#include "transport/mailbox.h"

namespace casecrypt::transport {
namespace {

TEST(MailboxUrlTest, GoodUrlsPass) {
    for (const char* url :
         {"imap://mail.example.test", "imap://mail.example.test/", "imaps://127.0.0.1:993/INBOX",
          "imap://[::1]:143/Team%20Inbox", "imaps://mail.example.test/Archive/2024",
          "pop3://mail.example.test", "pop3s://mail.example.test:995/", "dir:///var/mail/in",
          "dir:///path with spaces/x"}) {
        auto checked = check_mailbox_url(url);
        EXPECT_TRUE(checked) << url << ": " << checked.error().message();
    }
}

TEST(MailboxUrlTest, BadUrlsAreUsageErrorsThatDoNotRepeatThem) {
    const std::pair<const char*, const char*> cases[] = {
        {"http://mail.example.test/", "must start with imap://"},
        {"smtp://mail.example.test/", "must start with imap://"},
        {"mail.example.test", "not a valid URL"},
        {"imap:///INBOX", "no host"},
        // Issue 10: the sentence says what is wrong; the CLI adds its flags (cli_test).
        {"imap://helpdesk:hunter2@mail.example.test/INBOX", "holds a user name or password"},
        {"pop3://helpdesk@mail.example.test/", "holds a user name or password"},
        {"imap://mail.example.test/INBOX;UID=3", "';'"},
        {"imap://mail.example.test/INBOX?SUBJECT%20x", "?query"},
        {"imap://mail.example.test/IN%0ABOX", "control character"},
        {"pop3://mail.example.test/3", "no folders"},
        {"dir://relative/path", "absolute path"},
        {"dir://", "absolute path"},
    };
    for (const auto& [url, expected] : cases) {
        auto checked = check_mailbox_url(url);
        ASSERT_FALSE(checked) << url;
        EXPECT_EQ(checked.error().code(), Errc::usage) << url;
        EXPECT_NE(checked.error().message().find(expected), std::string::npos)
            << url << ": " << checked.error().message();
        EXPECT_EQ(checked.error().message().find("hunter2"), std::string::npos);
        MailboxSettings s;
        s.url = url;
        auto opened = open_mailbox(s);
        ASSERT_FALSE(opened) << url;
        EXPECT_EQ(opened.error().code(), Errc::usage) << url;
    }
}

// The folder reaches libcurl percent-encoded, so nothing in its name (';', '?', '%', '/') can
// read as an IMAP URL parameter (RFC 5092) or a search.
TEST(MailboxUrlTest, UrlsAreRebuiltFromTheirParts) {
    const std::pair<const char*, const char*> cases[] = {
        {"imap://mail.example.test", "imap://mail.example.test/INBOX"},
        {"imaps://mail.example.test:993/", "imaps://mail.example.test:993/INBOX"},
        {"imap://Mail.example.test/Team%20Inbox/", "imap://Mail.example.test/Team%20Inbox"},
        {"imap://mail.example.test/Archive/2024", "imap://mail.example.test/Archive%2F2024"},
        {"imap://mail.example.test/a%3Bb%3Fc%25d", "imap://mail.example.test/a%3Bb%3Fc%25d"},
        {"imap://[::1]:1143/INBOX", "imap://[::1]:1143/INBOX"},
        {"pop3s://mail.example.test:995", "pop3s://mail.example.test:995/"},
        {"dir:///var/mail/./in/", "dir:///var/mail/in/"},
    };
    for (const auto& [url, expected] : cases) {
        auto parsed = parse_mailbox_url(url);
        ASSERT_TRUE(parsed) << url << ": " << parsed.error().message();
        EXPECT_EQ(parsed->base(), expected) << url;
    }
    auto folder = parse_mailbox_url("imap://mail.example.test/a%3Bb%3Fc%25d");
    ASSERT_TRUE(folder);
    EXPECT_EQ(folder->folder, "a;b?c%d");
}

}  // namespace
}  // namespace casecrypt::transport
