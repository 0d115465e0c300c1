#include "transport/imap_mailbox.h"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <map>
#include <optional>
#include <string_view>

namespace casecrypt::transport {

namespace {

bool is_digits(std::string_view s, std::size_t max_length) {
    return !s.empty() && s.size() <= max_length &&
           std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// UIDs and UIDVALIDITY are 32-bit numbers (RFC 3501 2.3.1.1), as are sequence numbers.
bool is_number(std::string_view s) {
    return is_digits(s, 10);
}

bool starts_with_ignoring_case(std::string_view s, std::string_view prefix) {
    return s.size() >= prefix.size() &&
           std::equal(prefix.begin(), prefix.end(), s.begin(), [](char a, char b) {
               return std::toupper(static_cast<unsigned char>(a)) ==
                      std::toupper(static_cast<unsigned char>(b));
           });
}

bool equals_ignoring_case(std::string_view s, std::string_view word) {
    return s.size() == word.size() && starts_with_ignoring_case(s, word);
}

struct Key {
    std::string uidvalidity;
    std::string uid;
};

// "<UIDVALIDITY>:<UID>", both numbers: nothing else may reach a URL or a command.
std::optional<Key> parse_key(const std::string& key) {
    const auto colon = key.find(':');
    if (colon == std::string::npos) {
        return std::nullopt;
    }
    Key parsed{key.substr(0, colon), key.substr(colon + 1)};
    if (!is_number(parsed.uidvalidity) || !is_number(parsed.uid)) {
        return std::nullopt;
    }
    return parsed;
}

// "* OK [UIDVALIDITY 3857529045] UIDs valid", one of SELECT's untagged answers.
std::optional<std::string> uidvalidity_in(std::string_view line) {
    constexpr std::string_view kPrefix = "* OK [UIDVALIDITY ";
    if (!starts_with_ignoring_case(line, kPrefix)) {
        return std::nullopt;
    }
    line.remove_prefix(kPrefix.size());
    const std::string_view number = line.substr(0, line.find(']'));
    if (!is_number(number) || number.size() == line.size()) {
        return std::nullopt;
    }
    return std::string(number);
}

// "* 172 EXISTS" (how many messages the folder holds: SELECT, and unsolicited after that) or
// "* 3 EXPUNGE" (one fewer), as the word given.
std::optional<std::uint64_t> number_before(std::string_view line, std::string_view word) {
    if (!line.starts_with("* ")) {
        return std::nullopt;
    }
    line.remove_prefix(2);
    const auto space = line.find(' ');
    if (space == std::string_view::npos || !is_number(line.substr(0, space)) ||
        !equals_ignoring_case(line.substr(space + 1), word)) {
        return std::nullopt;
    }
    return std::stoull(std::string(line.substr(0, space)));
}

// What one "* 12 FETCH (UID 34 RFC822.SIZE 5678 FLAGS (\Seen))" line says. Unsolicited FETCH
// answers (another session changed flags) may carry only some of it.
struct FetchLine {
    std::uint64_t uid = 0;
    std::optional<std::uint64_t> size;
    std::optional<bool> deleted;
};

// Takes the next space-separated word, or a parenthesised list, off the front of `rest`.
std::string_view next_item(std::string_view& rest) {
    while (!rest.empty() && rest.front() == ' ') {
        rest.remove_prefix(1);
    }
    std::size_t end = 0;
    if (!rest.empty() && rest.front() == '(') {
        end = rest.find(')');
        end = end == std::string_view::npos ? rest.size() : end + 1;
    } else {
        end = std::min(rest.find(' '), rest.find(')'));
        end = end == std::string_view::npos ? rest.size() : end;
    }
    const std::string_view item = rest.substr(0, end);
    rest.remove_prefix(end);
    return item;
}

std::optional<FetchLine> parse_fetch_line(std::string_view line) {
    if (!line.starts_with("* ")) {
        return std::nullopt;
    }
    line.remove_prefix(2);
    const auto space = line.find(' ');
    if (space == std::string_view::npos || !is_number(line.substr(0, space))) {
        return std::nullopt;
    }
    line.remove_prefix(space + 1);
    if (!starts_with_ignoring_case(line, "FETCH (")) {
        return std::nullopt;
    }
    line.remove_prefix(7);
    FetchLine fetched;
    while (!line.empty() && line.front() != ')') {
        const std::string_view name = next_item(line);
        const std::string_view value = next_item(line);
        if (name.empty() || value.empty()) {
            return std::nullopt;
        }
        if (equals_ignoring_case(name, "UID") && is_number(value)) {
            fetched.uid = std::stoull(std::string(value));
        } else if (equals_ignoring_case(name, "RFC822.SIZE") && is_digits(value, 19)) {
            fetched.size = std::stoull(std::string(value));
        } else if (equals_ignoring_case(name, "FLAGS")) {
            std::string flags(value);
            std::transform(flags.begin(), flags.end(), flags.begin(),
                           [](unsigned char c) { return std::toupper(c); });
            fetched.deleted = flags.find("\\DELETED") != std::string::npos;
        }
        while (!line.empty() && line.front() == ' ') {
            line.remove_prefix(1);
        }
    }
    if (fetched.uid == 0) {
        return std::nullopt;
    }
    return fetched;
}

}  // namespace

Result<std::unique_ptr<Mailbox>> ImapMailbox::open(const MailboxSettings& settings,
                                                   const MailboxUrl& url) {
    auto session = MailboxSession::open(settings, "imap,imaps", settings.url, url.folder);
    if (!session) {
        return std::unexpected(session.error());
    }
    return std::unique_ptr<Mailbox>(new ImapMailbox(std::move(*session), url.base()));
}

ImapMailbox::ImapMailbox(std::unique_ptr<MailboxSession> session, std::string folder_url)
    : m_folder_url(std::move(folder_url)), m_session(std::move(session)) {
    // libcurl SELECTs the folder on each new connection before anything else; its UIDVALIDITY
    // arrives only there, and among the lines the header callback sees.
    m_session->set_line_observer([this](std::string_view line) {
        if (!line.empty() && line.back() == '\r') {
            line.remove_suffix(1);
        }
        if (auto uidvalidity = uidvalidity_in(line)) {
            m_uidvalidity = std::move(*uidvalidity);
        }
        if (auto exists = number_before(line, "EXISTS")) {
            m_exists = *exists;
        } else if (number_before(line, "EXPUNGE") && m_exists > 0) {
            --m_exists;
        }
    });
}

Result<void> ImapMailbox::command(const std::string& url, const std::string& command,
                                  TextSink& answers) {
    return m_session->perform(MailboxRequest{url, command, false}, &answers);
}

Result<std::vector<MailboxMessage>> ImapMailbox::list() {
    // NOOP first: on a new connection libcurl SELECTs the folder before it, which announces
    // UIDVALIDITY and EXISTS; on an old one the server reports what changed.
    TextSink answers;
    if (auto ok = command(m_folder_url, "NOOP", answers); !ok) {
        return std::unexpected(ok.error());
    }
    // One short line per message (UID SEARCH answers with one line for the whole folder, which
    // libcurl truncates once it outgrows half its buffer), and in slices of sequence numbers:
    // libcurl 7.88 refuses a reply of a few hundred lines as "Too large response headers",
    // depending on how the server's packets fall.
    constexpr std::uint64_t kSlice = 100;
    const std::uint64_t exists = m_exists;
    if (m_uidvalidity.empty()) {
        return fail(Errc::io, "mailbox " + m_session->display_url() +
                                  ": the server announced no UIDVALIDITY for the folder");
    }
    struct Entry {
        std::optional<std::uint64_t> size;
        bool deleted = false;
    };
    std::map<std::uint64_t, Entry> by_uid;  // UIDs grow with arrival: oldest first
    for (std::uint64_t first = 1; first <= exists; first += kSlice) {
        const std::uint64_t last = std::min(exists, first + kSlice - 1);
        TextSink slice;
        if (auto ok = command(m_folder_url,
                              "FETCH " + std::to_string(first) + ":" + std::to_string(last) +
                                  " (UID RFC822.SIZE FLAGS)",
                              slice);
            !ok) {
            return std::unexpected(ok.error());
        }
        std::string_view rest(slice.text());
        while (!rest.empty()) {
            const auto end = rest.find('\n');
            std::string_view line = rest.substr(0, end);
            rest.remove_prefix(end == std::string_view::npos ? rest.size() : end + 1);
            if (!line.empty() && line.back() == '\r') {
                line.remove_suffix(1);
            }
            const auto fetched = parse_fetch_line(line);
            if (!fetched) {
                continue;  // EXISTS, RECENT, EXPUNGE ...
            }
            Entry& entry = by_uid[fetched->uid];
            if (fetched->size) {
                entry.size = fetched->size;
            }
            if (fetched->deleted) {
                entry.deleted = *fetched->deleted;
            }
        }
    }
    std::vector<MailboxMessage> messages;
    for (const auto& [uid, entry] : by_uid) {
        if (entry.size) {  // no size: only an unsolicited flag update
            messages.push_back(
                {m_uidvalidity + ":" + std::to_string(uid), *entry.size, entry.deleted});
        }
    }
    return messages;
}

Result<void> ImapMailbox::fetch(const MailboxMessage& message, const std::filesystem::path& out) {
    const auto key = parse_key(message.key);
    if (!key) {
        return fail(Errc::usage, "mailbox " + m_session->display_url() + ": \"" + message.key +
                                     "\" is not an IMAP message key (UIDVALIDITY:UID)");
    }
    // libcurl sends "UID FETCH <uid> BODY[]" (which also sets \Seen) and writes the literal as it
    // arrives, exactly as the server sends it.
    const std::string url = m_folder_url + ";UIDVALIDITY=" + key->uidvalidity + "/;UID=" + key->uid;
    FileSink file(out);
    auto ok = m_session->perform(MailboxRequest{url, "", false}, &file);
    if (!ok) {
        if (m_session->last_code() == CURLE_REMOTE_FILE_NOT_FOUND) {
            return fail(Errc::io, "mailbox " + m_session->display_url() + ": message " +
                                      message.key + " is not in the folder" +
                                      (m_uidvalidity != key->uidvalidity
                                           ? " (its UIDVALIDITY is now " + m_uidvalidity +
                                                 ": all messages were renumbered)"
                                           : std::string(" any more")));
        }
        return ok;
    }
    return file.finish();
}

Result<void> ImapMailbox::done(const MailboxMessage& message, bool remove) {
    const auto key = parse_key(message.key);
    if (!key) {
        return fail(Errc::usage, "mailbox " + m_session->display_url() + ": \"" + message.key +
                                     "\" is not an IMAP message key (UIDVALIDITY:UID)");
    }
    // The UIDVALIDITY in the URL makes libcurl refuse to act on a renumbered folder.
    const std::string url = m_folder_url + ";UIDVALIDITY=" + key->uidvalidity;
    TextSink ignored;
    const std::string flag = remove ? "\\Deleted" : "\\Seen";
    if (auto ok = command(url, "UID STORE " + key->uid + " +FLAGS.SILENT (" + flag + ")", ignored);
        !ok || !remove) {
        return ok;
    }
    // UID EXPUNGE (RFC 4315, UIDPLUS) removes only this message; a server without it gets the
    // plain EXPUNGE, which also removes what other clients flagged \Deleted.
    auto expunged = command(url, "UID EXPUNGE " + key->uid, ignored);
    if (!expunged && m_session->last_code() == CURLE_QUOTE_ERROR) {
        expunged = command(url, "EXPUNGE", ignored);
    }
    return expunged;
}

}  // namespace casecrypt::transport
