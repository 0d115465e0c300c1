#include "transport/smtp_reply_log.h"

#include <algorithm>
#include <cctype>

namespace casecrypt::transport {

namespace {
constexpr std::size_t kMaxReplies = 8;
constexpr std::size_t kMaxReplyText = 2048;

bool is_digit(char c) {
    return std::isdigit(static_cast<unsigned char>(c)) != 0;
}
}  // namespace

void SmtpReplyLog::add_line(std::string_view line) {
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) {
        line.remove_suffix(1);
    }
    // RFC 5321 section 4.2: "ddd-text" continues a reply, "ddd text" or "ddd" ends it.
    if (line.size() < 3 || !is_digit(line[0]) || !is_digit(line[1]) || !is_digit(line[2])) {
        return;
    }
    const bool last = line.size() == 3 || line[3] != '-';
    if (m_partial.size() < kMaxReplyText) {
        if (!m_partial.empty()) {
            m_partial += " / ";
        }
        const std::size_t room = kMaxReplyText - std::min(kMaxReplyText, m_partial.size());
        m_partial.append(line.substr(0, room));
    }
    if (!last) {
        return;
    }
    const long code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
    m_replies.push_back(Reply{code, std::move(m_partial)});
    m_partial.clear();
    if (m_replies.size() > kMaxReplies) {
        m_replies.pop_front();
    }
}

std::optional<std::string> SmtpReplyLog::last_with_code(long code) const {
    for (auto it = m_replies.rbegin(); it != m_replies.rend(); ++it) {
        if (it->code == code) {
            return it->text;
        }
    }
    return std::nullopt;
}

}  // namespace casecrypt::transport
