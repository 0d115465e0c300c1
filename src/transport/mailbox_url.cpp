#include "transport/mailbox_url.h"

#include <algorithm>
#include <cctype>
#include <optional>
#include <string_view>

#include "transport/curl_ptr.h"

namespace casecrypt::transport {

namespace {

constexpr std::string_view kDirPrefix = "dir://";

// One part of the URL, or nothing when it is absent.
std::string url_part(CURLU* url, CURLUPart part) {
    char* raw = nullptr;
    if (curl_url_get(url, part, &raw, 0) != CURLUE_OK) {
        return {};
    }
    CurlStringPtr owned(raw);
    return owned ? std::string(owned.get()) : std::string();
}

// The percent-decoded path; nothing when it decodes to a control character (libcurl refuses).
std::optional<std::string> decoded_path(CURLU* url) {
    char* raw = nullptr;
    if (curl_url_get(url, CURLUPART_PATH, &raw, CURLU_URLDECODE) != CURLUE_OK) {
        return std::nullopt;
    }
    CurlStringPtr owned(raw);
    return owned ? std::string(owned.get()) : std::string();
}

bool starts_with_ignoring_case(const std::string& s, std::string_view prefix) {
    return s.size() >= prefix.size() &&
           std::equal(prefix.begin(), prefix.end(), s.begin(), [](char a, char b) {
               return std::tolower(static_cast<unsigned char>(a)) ==
                      std::tolower(static_cast<unsigned char>(b));
           });
}

bool has_control_character(std::string_view s) {
    return std::any_of(s.begin(), s.end(), [](char c) {
        const auto u = static_cast<unsigned char>(c);
        return u < 0x20 || u == 0x7f;
    });
}

// RFC 3986 2.3: everything but the unreserved characters is percent-encoded, so nothing in a
// folder name (';', '?', '/', '%') can mean anything to libcurl's IMAP URL parser.
std::string percent_encode(std::string_view text) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    for (const char c : text) {
        const auto u = static_cast<unsigned char>(c);
        if (std::isalnum(u) || c == '-' || c == '.' || c == '_' || c == '~') {
            out += c;
        } else {
            out += '%';
            out += kHex[u >> 4];
            out += kHex[u & 0x0f];
        }
    }
    return out;
}

// dir:///absolute/path. The path is taken literally, not percent-decoded: services build these
// URLs as "dir://" + path.
Result<MailboxUrl> parse_directory_url(const std::string& url) {
    const std::string path = url.substr(kDirPrefix.size());
    if (path.empty() || path.front() != '/') {
        return fail(Errc::usage,
                    "a dir:// mailbox URL needs an absolute path: dir:///absolute/path");
    }
    if (has_control_character(path)) {
        return fail(Errc::usage, "the dir:// mailbox path holds a control character");
    }
    MailboxUrl parsed;
    parsed.kind = MailboxUrl::Kind::directory;
    parsed.scheme = "dir";
    parsed.directory = std::filesystem::path(path).lexically_normal();
    return parsed;
}

}  // namespace

std::string MailboxUrl::base() const {
    if (kind == Kind::directory) {
        return "dir://" + directory.string();
    }
    return scheme + "://" + authority + "/" + percent_encode(folder);
}

Result<MailboxUrl> parse_mailbox_url(const std::string& url) {
    if (starts_with_ignoring_case(url, kDirPrefix)) {
        return parse_directory_url(url);
    }
    CurlUrlPtr handle(curl_url());
    if (!handle) {
        return fail(Errc::internal, "out of memory parsing the mailbox URL");
    }
    // No scheme guessing: "host/INBOX" is a mistake, not an IMAP URL.
    if (curl_url_set(handle.get(), CURLUPART_URL, url.c_str(), 0) != CURLUE_OK) {
        return fail(Errc::usage,
                    "the mailbox URL is not a valid URL (imap://, imaps://, pop3://, pop3s:// or "
                    "dir:///path)");
    }
    CURLU* u = handle.get();
    MailboxUrl parsed;
    parsed.scheme = url_part(u, CURLUPART_SCHEME);
    if (parsed.scheme == "imap" || parsed.scheme == "imaps") {
        parsed.kind = MailboxUrl::Kind::imap;
    } else if (parsed.scheme == "pop3" || parsed.scheme == "pop3s") {
        parsed.kind = MailboxUrl::Kind::pop3;
    } else {
        return fail(Errc::usage,
                    "the mailbox URL must start with imap://, imaps://, pop3://, pop3s:// or "
                    "dir://");
    }
    parsed.tls = parsed.scheme.back() == 's';
    if (!url_part(u, CURLUPART_USER).empty() || !url_part(u, CURLUPART_PASSWORD).empty() ||
        !url_part(u, CURLUPART_OPTIONS).empty()) {
        return fail(Errc::usage,
                    "the mailbox URL holds a user name or password: they are given apart from "
                    "the URL (a URL is shown and logged; the password is kept sealed)");
    }
    // libcurl reads "imap:///INBOX" as the host INBOX; a host must follow the "//" directly.
    const auto authority_at = url.find("://");
    const std::string host = url_part(u, CURLUPART_HOST);
    if (authority_at == std::string::npos || authority_at + 3 >= url.size() ||
        url[authority_at + 3] == '/' || host.empty()) {
        return fail(Errc::usage, "the mailbox URL has no host");
    }
    const std::string port = url_part(u, CURLUPART_PORT);
    parsed.authority = port.empty() ? host : host + ":" + port;
    if (!url_part(u, CURLUPART_QUERY).empty() || !url_part(u, CURLUPART_FRAGMENT).empty()) {
        return fail(Errc::usage, "the mailbox URL must not have a ?query or #fragment");
    }
    const std::string raw_path = url_part(u, CURLUPART_PATH);
    if (raw_path.find(';') != std::string::npos) {
        return fail(Errc::usage,
                    "the mailbox URL holds ';' parameters: name only the folder (a ';' in a "
                    "folder name is written %3B)");
    }
    std::optional<std::string> path = decoded_path(u);
    if (!path || has_control_character(*path)) {
        return fail(Errc::usage, "the mailbox URL's folder holds a control character");
    }
    std::string folder = std::move(*path);
    if (!folder.empty() && folder.front() == '/') {
        folder.erase(0, 1);
    }
    if (!folder.empty() && folder.back() == '/') {
        folder.pop_back();
    }
    if (parsed.kind == MailboxUrl::Kind::pop3) {
        if (!folder.empty()) {
            return fail(Errc::usage,
                        "a POP3 mailbox has no folders: the URL must end after the "
                        "host or port (pop3://host:port/)");
        }
        return parsed;
    }
    parsed.folder = folder.empty() ? "INBOX" : folder;
    return parsed;
}

}  // namespace casecrypt::transport
