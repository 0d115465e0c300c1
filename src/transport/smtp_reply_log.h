// SmtpReplyLog: the last few replies an SMTP server sent, rebuilt from the lines libcurl hands
// to its header callback (it passes every server response line there).
//
// Why: when a RCPT is refused libcurl's error buffer only says "RCPT failed: 450"; the text an
// admin needs ("try later", "no such user") is in the reply itself. Bounded in size, since the
// server is not trusted. Not thread-safe (one per transfer).
#pragma once

#include <cstddef>
#include <deque>
#include <optional>
#include <string>
#include <string_view>

namespace casecrypt::transport {

class SmtpReplyLog {
public:
    // One line as the server sent it, with or without its CRLF.
    void add_line(std::string_view line);

    // The most recent complete reply with this code ("450 4.2.0 ... try later"); continuation
    // lines of a multi-line reply are joined with " / ".
    std::optional<std::string> last_with_code(long code) const;

private:
    struct Reply {
        long code = 0;
        std::string text;
    };
    std::deque<Reply> m_replies;
    std::string m_partial;  // lines of a multi-line reply still in progress
};

}  // namespace casecrypt::transport
