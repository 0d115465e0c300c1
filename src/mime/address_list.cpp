#include "mime/address_list.h"

#include <cstring>
#include <optional>

#include "core/text.h"

namespace casecrypt::mime {
namespace {

constexpr int kMaxCommentDepth = 32;

bool is_space(char c) {
    return c == ' ' || c == '\t';
}

bool is_control(char c) {
    const auto u = static_cast<unsigned char>(c);
    return (u < 0x20 && c != '\t') || u == 0x7f;
}

// RFC 5322 3.2.3 atext, plus any UTF-8 octet (RFC 6532 3.2).
bool is_atext(char c) {
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x80)
        return true;
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return true;
    return std::strchr("!#$%&'*+-/=?^_`{|}~", c) != nullptr && c != '\0';
}

std::string trim(std::string_view text) {
    while (!text.empty() && is_space(text.front()))
        text.remove_prefix(1);
    while (!text.empty() && is_space(text.back()))
        text.remove_suffix(1);
    return std::string(text);
}

// The entry as an error sentence shows it: not all of a 131 KB local part.
std::string shown(std::string_view entry) {
    constexpr std::size_t kShown = 80;
    if (entry.size() <= kShown)
        return "\"" + std::string(entry) + "\"";
    std::size_t cut = kShown;
    while (cut > 0 && (static_cast<unsigned char>(entry[cut]) & 0xC0) == 0x80)
        --cut;  // UTF-8
    return "\"" + std::string(entry.substr(0, cut)) + "...\" (" + std::to_string(entry.size()) +
           " bytes)";
}

Error refused(std::string_view entry, const std::string& why) {
    return Error(Errc::rejected, shown(entry) + " is not an email address: " + why);
}

// The list cut at the commas that separate entries, with the comments taken out; quotes,
// angle brackets and domain literals protect what they hold. One pass, no recursion.
Result<std::vector<std::string>> split_entries(std::string_view list) {
    std::vector<std::string> entries(1);
    bool quoted = false;
    bool literal = false;
    bool angle = false;
    int comment = 0;
    for (std::size_t i = 0; i < list.size(); ++i) {
        const char c = list[i];
        std::string& entry = entries.back();
        if (quoted) {
            if (c == '\\' && i + 1 < list.size()) {
                entry += c;
                entry += list[++i];
            } else {
                entry += c;
                quoted = c != '"';
            }
            continue;
        }
        if (comment > 0) {
            if (c == '\\' && i + 1 < list.size()) {
                ++i;
            } else if (c == '(') {
                if (++comment > kMaxCommentDepth) {
                    return fail(Errc::rejected, shown(list) + " nests comments more than " +
                                                    std::to_string(kMaxCommentDepth) + " deep");
                }
            } else if (c == ')') {
                if (--comment == 0)
                    entry += ' ';  // a comment separates like a space
            }
            continue;
        }
        if (literal) {
            entry += c;
            literal = c != ']';
            continue;
        }
        switch (c) {
            case '"':
                quoted = true;
                break;
            case '[':
                literal = true;
                break;
            case '(':
                comment = 1;
                continue;
            case ')':
                return fail(Errc::rejected, shown(list) + " has a \")\" without its \"(\"");
            case '<':
                if (angle)
                    return std::unexpected(refused(entry + c, "a \"<\" inside \"<...>\""));
                angle = true;
                break;
            case '>':
                angle = false;
                break;
            case ':':
            case ';':
                if (!angle) {
                    return fail(Errc::rejected, shown(list) +
                                                    " is a group (\"name: addresses;\"); give the "
                                                    "addresses themselves");
                }
                break;
            case ',':
                if (!angle) {
                    entries.emplace_back();
                    continue;
                }
                break;
            default:
                break;
        }
        entry += c;
    }
    if (quoted)
        return fail(Errc::rejected, shown(list) + " has a quote (\") that is not closed");
    if (comment > 0)
        return fail(Errc::rejected, shown(list) + " has a \"(\" that is not closed");
    if (literal)
        return fail(Errc::rejected, shown(list) + " has a \"[\" that is not closed");
    if (angle)
        return fail(Errc::rejected, shown(list) + " has a \"<\" that is not closed");
    return entries;
}

// RFC 5322 3.4.1 addr-spec: dot-atom or quoted-string "@" dot-atom or domain-literal, without
// the obsolete forms (no spaces or comments inside).
Result<void> check_addr_spec(std::string_view entry, std::string_view spec) {
    if (spec.empty())
        return std::unexpected(refused(entry, "there is no address in it"));
    std::size_t at = 0;
    if (spec.front() == '"') {
        for (at = 1; at < spec.size() && spec[at] != '"'; ++at) {
            if (spec[at] == '\\')
                ++at;
        }
        if (at >= spec.size())
            return std::unexpected(refused(entry, "its quoted local part is not closed"));
        ++at;  // past the closing quote
        if (at == 2)
            return std::unexpected(refused(entry, "the local part is empty"));
    } else {
        bool after_dot = true;
        for (; at < spec.size() && spec[at] != '@'; ++at) {
            const char c = spec[at];
            if (c == '.') {
                if (after_dot) {
                    return std::unexpected(
                        refused(entry, at == 0 ? "the local part is empty or starts with a dot"
                                               : "the local part has two dots in a row"));
                }
                after_dot = true;
            } else if (is_atext(c)) {
                after_dot = false;
            } else {
                return std::unexpected(
                    refused(entry, std::string("the local part holds \"") + c + "\""));
            }
        }
        if (at > 0 && after_dot)
            return std::unexpected(refused(entry, "the local part ends with a dot"));
    }
    if (at == 0)
        return std::unexpected(refused(entry, "the local part is empty"));
    if (at >= spec.size() || spec[at] != '@') {
        return std::unexpected(refused(entry, "it has no \"@\" and domain"));
    }
    if (at > kMaxLocalPart) {
        return std::unexpected(refused(entry, "the local part is " + std::to_string(at) +
                                                  " bytes long (at most " +
                                                  std::to_string(kMaxLocalPart) + ")"));
    }
    const std::string_view domain = spec.substr(at + 1);
    if (domain.empty())
        return std::unexpected(refused(entry, "the domain is empty"));
    if (domain.size() > kMaxDomain) {
        return std::unexpected(refused(entry, "the domain is " + std::to_string(domain.size()) +
                                                  " bytes long (at most " +
                                                  std::to_string(kMaxDomain) + ")"));
    }
    if (domain.front() == '[') {
        if (domain.back() != ']' || domain.size() < 3) {
            return std::unexpected(refused(entry, "its domain literal is not closed"));
        }
        for (char c : domain.substr(1, domain.size() - 2)) {
            if (c == '[' || c == ']' || c == '\\' || is_space(c)) {
                return std::unexpected(
                    refused(entry, "its domain literal holds \"" + std::string(1, c) + "\""));
            }
        }
    } else {
        std::size_t label = 0;
        for (std::size_t i = 0; i <= domain.size(); ++i) {
            const char c = i < domain.size() ? domain[i] : '.';
            if (c == '@')
                return std::unexpected(refused(entry, "it has a second \"@\""));
            if (c == '.') {
                if (label == 0) {
                    return std::unexpected(refused(entry, i == domain.size()
                                                              ? "the domain ends with a dot"
                                                              : "the domain has an empty label"));
                }
                if (domain[i - 1] == '-' || domain[i - label] == '-') {
                    return std::unexpected(
                        refused(entry, "a domain label starts or ends with \"-\""));
                }
                label = 0;
                continue;
            }
            const auto u = static_cast<unsigned char>(c);
            const bool ok = u >= 0x80 || c == '-' || (c >= 'a' && c <= 'z') ||
                            (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
            if (!ok)
                return std::unexpected(
                    refused(entry, "the domain holds \"" + std::string(1, c) + "\""));
            if (++label > 63)
                return std::unexpected(refused(entry, "a domain label is longer than 63 bytes"));
        }
    }
    if (spec.size() > kMaxAddress) {
        return std::unexpected(refused(entry, "it is " + std::to_string(spec.size()) +
                                                  " bytes long (at most " +
                                                  std::to_string(kMaxAddress) + ")"));
    }
    return {};
}

// RFC 5322 3.2.5 phrase: words (atoms, quoted strings) and, obsolete but common, dots
// ("J. Doe"). Returns the name unquoted.
Result<std::string> display_name(std::string_view entry, std::string_view phrase) {
    std::string name;
    for (std::size_t i = 0; i < phrase.size(); ++i) {
        const char c = phrase[i];
        if (c == '"') {
            for (++i; i < phrase.size() && phrase[i] != '"'; ++i) {
                if (phrase[i] == '\\' && i + 1 < phrase.size())
                    ++i;
                name += phrase[i];
            }
            continue;
        }
        if (c != '.' && !is_space(c) && !is_atext(c)) {
            return std::unexpected(refused(entry, "its display name holds \"" + std::string(1, c) +
                                                      "\" (put the name in quotes)"));
        }
        if (is_space(c) && (name.empty() || is_space(name.back())))
            continue;
        name += is_space(c) ? ' ' : c;
    }
    name = trim(name);
    if (name.size() > kMaxDisplayName) {
        return std::unexpected(refused(entry, "its display name is " + std::to_string(name.size()) +
                                                  " bytes long (at most " +
                                                  std::to_string(kMaxDisplayName) + ")"));
    }
    return name;
}

Result<Mailbox> parse_entry(const std::string& entry) {
    // Where the angle-bracketed address starts, outside quotes.
    std::optional<std::size_t> open;
    bool quoted = false;
    for (std::size_t i = 0; i < entry.size() && !open; ++i) {
        if (quoted && entry[i] == '\\') {
            ++i;
        } else if (entry[i] == '"') {
            quoted = !quoted;
        } else if (!quoted && entry[i] == '<') {
            open = i;
        }
    }
    if (!open) {
        if (entry.find_first_of(" \t") != std::string::npos && entry.front() != '"') {
            return std::unexpected(
                refused(entry, "an address has no spaces (a name goes before \"<address>\")"));
        }
        if (auto checked = check_addr_spec(entry, entry); !checked)
            return std::unexpected(checked.error());
        return Mailbox{.name = "", .address = entry};
    }
    const auto close = entry.find('>', *open);
    if (close == std::string::npos)
        return std::unexpected(refused(entry, "its \"<\" is not closed"));
    if (!trim(std::string_view(entry).substr(close + 1)).empty()) {
        return std::unexpected(refused(entry, "there is more after \">\""));
    }
    const std::string spec = trim(std::string_view(entry).substr(*open + 1, close - *open - 1));
    if (auto checked = check_addr_spec(entry, spec); !checked)
        return std::unexpected(checked.error());
    auto name = display_name(entry, std::string_view(entry).substr(0, *open));
    if (!name)
        return std::unexpected(name.error());
    return Mailbox{.name = std::move(*name), .address = spec};
}

}  // namespace

Result<std::vector<Mailbox>> parse_mailboxes(std::string_view list) {
    if (!is_valid_utf8(list))
        return fail(Errc::rejected, "the address list is not valid UTF-8");
    for (char c : list) {
        if (is_control(c)) {
            return fail(Errc::rejected, shown(escape_control(list)) +
                                            " holds a control character (a line break would start "
                                            "a new header line)");
        }
    }
    auto entries = split_entries(list);
    if (!entries)
        return std::unexpected(entries.error());
    std::vector<Mailbox> out;
    for (const auto& raw : *entries) {
        const std::string entry = trim(raw);
        if (entry.empty())
            continue;
        auto mailbox = parse_entry(entry);
        if (!mailbox)
            return std::unexpected(mailbox.error());
        out.push_back(std::move(*mailbox));
    }
    return out;
}

}  // namespace casecrypt::mime
