// TicketTag: the ticket tag of mail.ticketname.pattern, compiled once: which ticket number a
// subject names, and the tag our mail for a ticket carries. The pattern is set by an admin and
// matched against subjects from strangers, so it runs in RE2 (linear time, no recursion,
// bounded memory): std::regex recursed once per character, and a subject of 50,000 digits
// overflowed the stack, a remote crash of the whole pipeline. Immutable; thread-safe.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.h"

namespace re2 {
class RE2;
}

namespace casecrypt::services {

class TicketTag {
public:
    // Errc::rejected (naming what is wrong) when RE2 refuses the pattern or it has no group.
    static Result<TicketTag> compile(const std::string& pattern);
    ~TicketTag();
    TicketTag(TicketTag&&) noexcept;
    TicketTag& operator=(TicketTag&&) noexcept;

    // The number the first group captures, anywhere in the subject. A number that does not fit
    // a ticket number (long long) is none: it names no ticket we could have.
    std::optional<long long> number_in(std::string_view subject) const;
    // The tag written from the pattern: its first group becomes the number and regex escapes
    // are undone ("Ticket \((\d+)\)" -> "Ticket (42)"). May not match the pattern when the text
    // outside the group is not literal; callers check with number_in().
    std::string tag(long long number) const;

private:
    TicketTag(std::string pattern, std::unique_ptr<re2::RE2> re);
    std::string m_pattern;
    std::unique_ptr<re2::RE2> m_re;
};

}  // namespace casecrypt::services
