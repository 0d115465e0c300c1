#include "services/ticket_tag.h"

#include <re2/re2.h>

#include <charconv>

namespace casecrypt::services {

Result<TicketTag> TicketTag::compile(const std::string& pattern) {
    re2::RE2::Options options;
    options.set_log_errors(false);
    auto re = std::make_unique<re2::RE2>(pattern, options);
    if (!re->ok()) {
        return fail(Errc::rejected,
                    "\"" + pattern + "\" is not a regular expression: " + re->error());
    }
    if (re->NumberOfCapturingGroups() < 1) {
        return fail(Errc::rejected, "\"" + pattern + "\" has no group for the ticket number");
    }
    return TicketTag(pattern, std::move(re));
}

TicketTag::TicketTag(std::string pattern, std::unique_ptr<re2::RE2> re)
    : m_pattern(std::move(pattern)), m_re(std::move(re)) {}
TicketTag::~TicketTag() = default;
TicketTag::TicketTag(TicketTag&&) noexcept = default;
TicketTag& TicketTag::operator=(TicketTag&&) noexcept = default;

std::optional<long long> TicketTag::number_in(std::string_view subject) const {
    re2::StringPiece number;
    if (!re2::RE2::PartialMatch(re2::StringPiece(subject.data(), subject.size()), *m_re, &number) ||
        number.empty()) {
        return std::nullopt;
    }
    long long value = 0;
    const auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), value);
    if (ec != std::errc() || end != number.data() + number.size())
        return std::nullopt;
    return value;
}

std::string TicketTag::tag(long long number) const {
    std::string out;
    bool replaced = false;
    for (std::size_t i = 0; i < m_pattern.size(); ++i) {
        const char c = m_pattern[i];
        if (c == '\\' && i + 1 < m_pattern.size()) {
            out += m_pattern[++i];
        } else if (c == '(' && !replaced &&
                   !(i + 1 < m_pattern.size() && m_pattern[i + 1] == '?')) {
            int depth = 1;
            std::size_t j = i + 1;
            for (; j < m_pattern.size() && depth > 0; ++j) {
                if (m_pattern[j] == '\\')
                    ++j;
                else if (m_pattern[j] == '(')
                    ++depth;
                else if (m_pattern[j] == ')')
                    --depth;
            }
            out += std::to_string(number);
            replaced = true;
            i = j - 1;
        } else if (c == '^' || c == '$') {
        } else {
            out += c;
        }
    }
    return out;
}

}  // namespace casecrypt::services
