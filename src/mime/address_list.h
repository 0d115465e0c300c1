// Address lists as a person types them (a command line, a web form, a workflow script), read
// strictly by RFC 5322 section 3.4 before any mail is built from them. GMime's own parser is
// made for received mail and forgives what it should not here: "a@b@c" became "a@b" (silently
// mailed to someone else), and a 131 KB local part went through. What this accepts is what the
// message header says and what the envelope gets.
//
// Accepted: `addr-spec`, `display-name <addr-spec>`, `<addr-spec>`, comma-separated, with
// quoted strings ("Cust, Omer" <c@example.com>) and comments, which are dropped. Refused, with a
// sentence naming the entry: a second "@", an empty or over-long local part (RFC 5321 4.5.3.1:
// 64 octets) or domain (255), an address over 254 octets, groups, control characters (a CR/LF
// would start a new header line), unbalanced quotes, brackets or parentheses.
// UTF-8 in names and addresses is allowed (RFC 6532). Pure functions, thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace casecrypt::mime {

struct Mailbox {
    std::string name;     // the display name, unquoted, UTF-8; empty when none was given
    std::string address;  // the addr-spec as written (local part case kept)
};

inline constexpr std::size_t kMaxLocalPart = 64;     // RFC 5321 4.5.3.1.1
inline constexpr std::size_t kMaxDomain = 255;       // RFC 5321 4.5.3.1.2
inline constexpr std::size_t kMaxAddress = 254;      // RFC 5321 4.5.3.1.3 path less "<>"
inline constexpr std::size_t kMaxDisplayName = 998;  // RFC 5322 2.1.1 line length

// Every mailbox of `list`; empty entries (a trailing comma) are skipped. Errc::rejected naming
// the entry and what is wrong with it.
Result<std::vector<Mailbox>> parse_mailboxes(std::string_view list);

}  // namespace casecrypt::mime
