#include "transport/pop3_mailbox.h"

#include <algorithm>
#include <string_view>

namespace casecrypt::transport {

namespace {

bool is_digits(std::string_view s, std::size_t max_length) {
    return !s.empty() && s.size() <= max_length &&
           std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool is_number(std::string_view s) {
    return is_digits(s, 10);
}

// RFC 1939 section 7: a unique-id is 1 to 70 characters in the range 0x21 to 0x7E.
bool is_uidl(std::string_view s) {
    return !s.empty() && s.size() <= 70 &&
           std::all_of(s.begin(), s.end(), [](char c) { return c >= 0x21 && c <= 0x7e; });
}

// The "<number> <word>" lines of a UIDL or LIST answer (libcurl strips the "+OK" line and the
// final "."), in the server's order, which is the order of arrival.
std::vector<std::pair<std::string, std::string>> number_lines(std::string_view body) {
    std::vector<std::pair<std::string, std::string>> lines;
    while (!body.empty()) {
        const auto end = body.find('\n');
        std::string_view line = body.substr(0, end);
        body.remove_prefix(end == std::string_view::npos ? body.size() : end + 1);
        if (!line.empty() && line.back() == '\r') {
            line.remove_suffix(1);
        }
        const auto space = line.find(' ');
        if (space == std::string_view::npos || !is_number(line.substr(0, space))) {
            continue;
        }
        lines.emplace_back(line.substr(0, space), line.substr(space + 1));
    }
    return lines;
}

}  // namespace

Result<std::unique_ptr<Mailbox>> Pop3Mailbox::open(const MailboxSettings& settings,
                                                   const MailboxUrl& url) {
    auto session = MailboxSession::open(settings, "pop3,pop3s", settings.url, "");
    if (!session) {
        return std::unexpected(session.error());
    }
    return std::unique_ptr<Mailbox>(new Pop3Mailbox(std::move(*session), url.base()));
}

Result<std::vector<MailboxMessage>> Pop3Mailbox::learn_numbers() {
    TextSink body;
    if (auto ok = m_session->perform(MailboxRequest{m_base_url, "UIDL", false}, &body); !ok) {
        m_numbers_known = false;
        return std::unexpected(ok.error());
    }
    m_numbers.clear();
    std::vector<MailboxMessage> messages;
    for (auto& [number, uidl] : number_lines(body.text())) {
        if (is_uidl(uidl) && m_numbers.emplace(uidl, number).second) {
            messages.push_back({uidl, 0});
        }
    }
    m_numbers_known = true;
    return messages;
}

Result<std::optional<std::string>> Pop3Mailbox::number_of(const std::string& key) {
    if (!m_numbers_known) {
        if (auto listed = learn_numbers(); !listed) {
            return std::unexpected(listed.error());
        }
    }
    const auto found = m_numbers.find(key);
    if (found == m_numbers.end()) {
        return std::nullopt;
    }
    return found->second;
}

// The last command failed on a connection opened for it, with an -ERR: perhaps because the
// number it used was learnt in an earlier session (libcurl reports -ERR as a weird reply).
bool Pop3Mailbox::refused_in_new_session() const {
    return m_session->reconnected() && m_session->last_code() == CURLE_WEIRD_SERVER_REPLY;
}

Result<std::vector<MailboxMessage>> Pop3Mailbox::list() {
    // LIST first for the sizes, then UIDL: the numbers that count are those of the session the
    // last command ran in.
    TextSink sizes;
    if (auto ok = m_session->perform(MailboxRequest{m_base_url, "", false}, &sizes); !ok) {
        return std::unexpected(ok.error());
    }
    auto messages = learn_numbers();
    if (!messages || m_session->reconnected()) {
        return messages;  // sizes from another session would be misattributed
    }
    std::map<std::string, std::uint64_t> size_of;
    for (const auto& [number, size] : number_lines(sizes.text())) {
        if (is_digits(size, 19)) {
            size_of[number] = std::stoull(size);
        }
    }
    for (MailboxMessage& message : *messages) {
        message.size = size_of[m_numbers[message.key]];
    }
    return messages;
}

Result<void> Pop3Mailbox::fetch(const MailboxMessage& message, const std::filesystem::path& out) {
    for (int attempt = 0; attempt < 2; ++attempt) {
        auto number = number_of(message.key);
        if (!number) {
            return std::unexpected(number.error());
        }
        if (!*number) {
            return fail(Errc::io, "mailbox " + m_session->display_url() + ": message " +
                                      message.key + " is not in the mailbox any more");
        }
        // RETR; libcurl removes the dot-stuffing (RFC 1939 section 3) as the message streams.
        FileSink file(out);
        auto ok = m_session->perform(MailboxRequest{m_base_url + **number, "", false}, &file);
        if (!m_session->reconnected()) {
            return ok ? file.finish() : ok;
        }
        if (!ok && !refused_in_new_session()) {
            return ok;
        }
        m_numbers_known = false;  // a new session: that number may have named another message
    }
    return fail(Errc::io, "mailbox " + m_session->display_url() +
                              ": the connection was lost twice while fetching message " +
                              message.key);
}

Result<void> Pop3Mailbox::done(const MailboxMessage& message, bool remove) {
    if (!remove) {
        return {};  // POP3 has no \Seen; the caller remembers the UIDL
    }
    for (int attempt = 0; attempt < 2; ++attempt) {
        auto number = number_of(message.key);
        if (!number) {
            return std::unexpected(number.error());
        }
        if (!*number) {
            return {};  // gone already
        }
        auto ok = m_session->perform(MailboxRequest{m_base_url + **number, "DELE", true}, nullptr);
        if (!m_session->reconnected()) {
            if (ok) {
                m_numbers.erase(message.key);  // a second DELE of it would be refused
            }
            return ok;
        }
        if (!ok && !refused_in_new_session()) {
            return ok;
        }
        // The DELE went to a new session, whose numbers were never listed: take it back.
        if (ok) {
            if (auto reset = m_session->perform(MailboxRequest{m_base_url, "RSET", true}, nullptr);
                !reset) {
                return reset;
            }
        }
        m_numbers_known = false;
    }
    return fail(Errc::io, "mailbox " + m_session->display_url() +
                              ": the connection was lost twice while deleting message " +
                              message.key);
}

}  // namespace casecrypt::transport
