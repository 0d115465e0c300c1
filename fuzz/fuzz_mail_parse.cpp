// libFuzzer target for received mail after decryption (or never encrypted): the input is one
// message file, read by mime::read_summary (the header only) and mime::parse_message (bodies and
// attachment files), and the input itself and any text/html body go through mime::sanitize_html;
// both subjects meet the default ticket pattern (services::TicketTag), as every fetched mail's do;
// the values of its From/To/Cc/Reply-To lines are read as an address list a person typed
// (mime::parse_mailboxes, the reader of `mail send --to` and the web's address fields).
//
// Each input is written to a file in a fresh ScratchDir under CASECRYPT_FUZZ_WORK (default: a
// private directory in /dev/shm, else the temp directory), its attachments into a subdirectory
// of it, and all of it is removed after the input. Besides the sanitizers, the properties below
// must hold whatever the input; a broken one prints "fuzz: ..." and aborts, so libFuzzer keeps
// the input:
//   * parse_message: subject, display names, attachment names and the text and HTML bodies are
//     valid UTF-8, the bodies without NUL (mime/charset.h drops them); every attachment file is a
//     regular file directly inside the attachment directory, of AttachmentInfo::size bytes; on
//     success the directory holds exactly those files; nothing is written next to it, whether
//     parsing succeeds or not.
//   * read_summary: subject and From display are valid UTF-8, recipients appear once each.
//   * parse_mailboxes: every mailbox it accepts has a valid UTF-8 name of at most 998 bytes and
//     an address of at most 254 bytes without control characters, spaces outside quotes, or an
//     "@" anywhere but once between local part and domain (outside quotes and brackets).
//   * sanitize_html (on the raw input and on the parsed HTML body): the result is valid UTF-8 and
//     reads as our own serialisation (text with < > " & escaped, tags `<name attr="v">`), no
//     script, style or other active element, no on* or style attribute, URLs only in <a href>
//     (http, https, mailto) and <img src> (cid:, data:image/png|gif|jpeg|webp;base64), read the
//     way a browser reads them (entities decoded, tab/CR/LF removed, controls trimmed), and no
//     javascript:/vbscript: at the start of any other attribute but plain-text ones (title,
//     alt, face...: "javascript:" there is text, so a mere substring check would be wrong).
// Idempotence (sanitize(sanitize(x)) == sanitize(x)) is NOT checked, because it does not hold
// for ordinary mail HTML: "<html>\n<body>\n<p>a</p>" gives "\n\n<p>a</p>" and that gives
// "<p>a</p>" (libxml2 drops leading blank text in <body>), and text left at the top level by an
// unwrapped or dropped element gets an implied <p> on the second pass. Both are harmless, so
// instead the second pass's result must pass the same checks.
// The UTF-8 check is this file's own (RFC 3629: no overlong forms, surrogates or code points
// above U+10FFFF), not the module's, so the check cannot agree with a bug there.
// Single-threaded, as libFuzzer runs it.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "core/error.h"
#include "core/scratch_dir.h"
#include "fuzz_support.h"
#include "mime/address_list.h"
#include "mime/message_parser.h"
#include "services/ticket_tag.h"

namespace {

using namespace casecrypt;
namespace fs = std::filesystem;

// ---- UTF-8 -----------------------------------------------------------------------------------

// Where the first byte that does not belong to a well-formed UTF-8 sequence is (RFC 3629
// section 4, the Unicode table of well-formed byte sequences), or npos when there is none.
std::size_t first_invalid_utf8(std::string_view text) {
    const auto* p = reinterpret_cast<const unsigned char*>(text.data());
    const std::size_t n = text.size();
    std::size_t i = 0;
    auto cont = [&](std::size_t at, unsigned char lo = 0x80, unsigned char hi = 0xBF) {
        return at < n && p[at] >= lo && p[at] <= hi;
    };
    while (i < n) {
        const unsigned char c = p[i];
        if (c < 0x80) {
            i += 1;
        } else if (c >= 0xC2 && c <= 0xDF && cont(i + 1)) {
            i += 2;
        } else if (c == 0xE0 && cont(i + 1, 0xA0) && cont(i + 2)) {
            i += 3;
        } else if (((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF) && cont(i + 1) &&
                   cont(i + 2)) {
            i += 3;
        } else if (c == 0xED && cont(i + 1, 0x80, 0x9F) && cont(i + 2)) {  // no surrogates
            i += 3;
        } else if (c == 0xF0 && cont(i + 1, 0x90) && cont(i + 2) && cont(i + 3)) {
            i += 4;
        } else if (c >= 0xF1 && c <= 0xF3 && cont(i + 1) && cont(i + 2) && cont(i + 3)) {
            i += 4;
        } else if (c == 0xF4 && cont(i + 1, 0x80, 0x8F) && cont(i + 2) && cont(i + 3)) {
            i += 4;
        } else {
            return i;
        }
    }
    return std::string_view::npos;
}

// A short, printable excerpt of `text` around `at` for the "fuzz:" line.
std::string excerpt(std::string_view text, std::size_t at = 0) {
    const std::size_t begin = at > 40 ? at - 40 : 0;
    std::string out;
    for (unsigned char c : text.substr(begin, 120)) {
        if (c >= 0x20 && c < 0x7F && c != '\\') {
            out += static_cast<char>(c);
        } else {
            static constexpr char kHex[] = "0123456789abcdef";
            out += "\\x";
            out += kHex[c >> 4];
            out += kHex[c & 15];
        }
    }
    return "\"" + out + "\"" + (begin > 0 ? " (from byte " + std::to_string(begin) + ")" : "");
}

void require_utf8(std::string_view text, const std::string& what) {
    if (const std::size_t at = first_invalid_utf8(text); at != std::string_view::npos) {
        fuzz::die(what + " is not valid UTF-8 at byte " + std::to_string(at) + ": " +
                  excerpt(text, at));
    }
}

// A body converted from its charset: valid UTF-8 without NUL (mime/charset.h: "NUL bytes are
// dropped"; RFC 5322 section 2.3 has no NUL in text, and PostgreSQL text cannot hold one).
void require_text(std::string_view text, const std::string& what) {
    require_utf8(text, what);
    if (const std::size_t at = text.find('\0'); at != std::string_view::npos)
        fuzz::die(what + " holds a NUL at byte " + std::to_string(at) + ": " + excerpt(text, at));
}

// ---- sanitize_html ---------------------------------------------------------------------------

std::string lower(std::string_view text) {
    std::string out(text);
    for (char& c : out) {
        if (c >= 'A' && c <= 'Z')
            c = static_cast<char>(c - 'A' + 'a');
    }
    return out;
}

// Elements that must never come out, whatever the whitelist is: script and everything that
// runs, loads, embeds or restyles something, or changes how the rest is parsed.
constexpr std::string_view kForbiddenElements[] = {
    "applet",  "audio",   "base",     "button",   "embed",    "form",     "frame",     "frameset",
    "head",    "html",    "body",     "iframe",   "image",    "input",    "link",      "math",
    "meta",    "noembed", "noframes", "noscript", "object",   "param",    "plaintext", "script",
    "select",  "source",  "style",    "svg",      "template", "textarea", "title",     "track",
    "video",   "xmp",     "portal",   "listing",  "isindex",  "keygen",   "marquee",   "set",
    "animate", "handler", "xml",      "bgsound",  "picture"};

// The URL a browser resolves from an attribute value (URL Standard: tab, CR, LF removed
// anywhere, C0 controls and space trimmed at both ends), lower-cased for the scheme check.
std::string browser_url(std::string_view value) {
    std::string url;
    for (char c : value) {
        if (c != '\t' && c != '\n' && c != '\r')
            url += c;
    }
    auto is_trimmed = [](char c) { return static_cast<unsigned char>(c) <= 0x20; };
    const auto first = std::find_if_not(url.begin(), url.end(), is_trimmed);
    const auto last = std::find_if_not(url.rbegin(), url.rend(), is_trimmed).base();
    return first < last ? lower(std::string(first, last)) : std::string();
}

bool starts_with_any(std::string_view text, std::initializer_list<std::string_view> prefixes) {
    return std::any_of(prefixes.begin(), prefixes.end(),
                       [&](std::string_view prefix) { return text.starts_with(prefix); });
}

// Reads one HTML character reference of our own escaping at `text[i]` ('&'): the character it
// stands for, and moves `i` past it; nullopt for anything else.
std::optional<char> read_entity(std::string_view text, std::size_t& i) {
    static constexpr std::pair<std::string_view, char> kEntities[] = {
        {"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}};
    for (const auto& [entity, c] : kEntities) {
        if (text.substr(i).starts_with(entity)) {
            i += entity.size();
            return c;
        }
    }
    return std::nullopt;
}

bool is_name_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
}

// Attributes whose value no browser follows or runs (shown as text, or a colour, size, font,
// direction...): "javascript:" in them is harmless text, as in title="javascript: tutorial".
constexpr std::string_view kPlainAttributes[] = {
    "abbr",        "align",   "alt",     "axis",    "bgcolor", "border",  "cellpadding",
    "cellspacing", "char",    "charoff", "class",   "clear",   "color",   "cols",
    "colspan",     "compact", "dir",     "face",    "frame",   "headers", "height",
    "hspace",      "id",      "lang",    "noshade", "nowrap",  "rel",     "rows",
    "rowspan",     "rules",   "scope",   "size",    "span",    "start",   "summary",
    "target",      "title",   "type",    "valign",  "value",   "vspace",  "width"};

// Checks one attribute of an output tag (name lower-case, value entity-decoded).
void check_attribute(std::string_view element, std::string_view name, std::string_view value,
                     std::string_view html, std::size_t at) {
    auto fail = [&](const std::string& why) {
        fuzz::die("sanitize_html: <" + std::string(element) + " " + std::string(name) +
                  "=...>: " + why + ", in the output " + excerpt(html, at));
    };
    if (name.starts_with("on"))
        fail("an event handler attribute");
    static constexpr std::string_view kNeverKept[] = {
        "style",    "srcdoc", "srcset", "action",   "formaction", "background", "lowsrc",
        "dynsrc",   "poster", "data",   "codebase", "classid",    "archive",    "longdesc",
        "usemap",   "ping",   "xmlns",  "xlink",    "http-equiv", "content",    "is",
        "manifest", "icon",   "cite",   "profile",  "form",       "autofocus",  "contenteditable"};
    if (std::find(std::begin(kNeverKept), std::end(kNeverKept), name) != std::end(kNeverKept) ||
        name.find(':') != std::string_view::npos) {
        fail("an attribute that must not be kept");
    }
    const std::string url = browser_url(value);
    if (name == "href") {
        if (element != "a")
            fail("href outside <a>");
        if (!starts_with_any(url, {"http://", "https://", "mailto:"}))
            fail("a link that is not http, https or mailto");
    } else if (name == "src") {
        if (element != "img")
            fail("src outside <img>");
        if (!starts_with_any(url, {"cid:", "data:image/png;base64,", "data:image/gif;base64,",
                                   "data:image/jpeg;base64,", "data:image/webp;base64,"})) {
            fail("an image that is not cid: or inline raster data");
        }
    } else if (starts_with_any(url, {"javascript:", "vbscript:"}) &&
               std::find(std::begin(kPlainAttributes), std::end(kPlainAttributes), name) ==
                   std::end(kPlainAttributes)) {
        fail("a script URL in an attribute that is not known to be plain text");
    }
}

// The output of sanitize_html must be our own serialisation: text in which '<', '>' and '"'
// only appear escaped and '&' only starts &amp; &lt; &gt; &quot;, and tags of the form
// <name( attr="value")*> or </name> with lower-case names. That makes a tokenizer this simple
// read it the way a browser does, so the checks below see what a browser would see.
void check_sanitized(std::string_view html, const char* from) {
    auto fail = [&](std::size_t at, const std::string& why) {
        fuzz::die(std::string("sanitize_html(") + from + "): " + why + " at byte " +
                  std::to_string(at) + ": " + excerpt(html, at));
    };
    require_utf8(html, std::string("sanitize_html(") + from + ")");
    if (const auto at = lower(html).find("<script"); at != std::string::npos)
        fail(at, "<script in the output");
    std::size_t i = 0;
    while (i < html.size()) {
        const char c = html[i];
        if (c == '&') {
            if (!read_entity(html, i))
                fail(i, "a bare '&' in text");
            continue;
        }
        if (c == '>' || c == '"')
            fail(i, "an unescaped '" + std::string(1, c) + "' in text");
        if (c != '<') {
            ++i;
            continue;
        }
        const std::size_t tag_start = i++;
        const bool closing = i < html.size() && html[i] == '/';
        if (closing)
            ++i;
        const std::size_t name_start = i;
        while (i < html.size() && is_name_char(html[i]))
            ++i;
        const std::string element(html.substr(name_start, i - name_start));
        if (element.empty() || !(element[0] >= 'a' && element[0] <= 'z'))
            fail(tag_start, "an unescaped '<' that does not start a tag");
        if (std::find(std::begin(kForbiddenElements), std::end(kForbiddenElements), element) !=
            std::end(kForbiddenElements)) {
            fail(tag_start, "a <" + element + "> element");
        }
        while (!closing && i < html.size() && html[i] == ' ') {
            const std::size_t attr_start = ++i;
            while (i < html.size() && is_name_char(html[i]))
                ++i;
            const std::string name(html.substr(attr_start, i - attr_start));
            if (name.empty() || html.substr(i, 2) != "=\"")
                fail(attr_start, "an attribute that is not name=\"value\"");
            i += 2;
            std::string value;
            while (i < html.size() && html[i] != '"') {
                if (html[i] == '<' || html[i] == '>')
                    fail(i, "an unescaped '" + std::string(1, html[i]) + "' in an attribute");
                if (html[i] == '&') {
                    auto decoded = read_entity(html, i);
                    if (!decoded)
                        fail(i, "a bare '&' in an attribute");
                    value += *decoded;
                } else {
                    value += html[i++];
                }
            }
            if (i >= html.size())
                fail(attr_start, "an unterminated attribute value");
            ++i;  // the closing quote
            check_attribute(element, name, value, html, attr_start);
        }
        if (i >= html.size() || html[i] != '>')
            fail(tag_start, "a tag that does not end in '>'");
        ++i;
    }
}

// The result is checked, and so is the result of a second pass: sanitised HTML is shaped like
// nothing a mail client writes, and ends up in sanitize_html again when a reply quotes it.
// (The two results may differ; see the note on idempotence at the top.)
void sanitize_and_check(std::string_view html, const char* from) {
    const std::string once = mime::sanitize_html(html);
    check_sanitized(once, from);
    check_sanitized(mime::sanitize_html(once), "its own output");
}

// ---- parse_message and read_summary ----------------------------------------------------------

void check_addresses(const std::vector<mime::MailAddress>& list, const char* field) {
    for (const auto& address : list)
        require_utf8(address.name, std::string("parse_message: a ") + field + " display name");
}

// Every attachment is a regular file directly inside `dir`, as large as it says; on success
// nothing else is there.
void check_attachments(const mime::ParsedMessage& message, const fs::path& dir) {
    std::set<fs::path> files;
    for (const auto& a : message.attachments) {
        require_utf8(a.name, "parse_message: an attachment name");
        require_utf8(a.content_type, "parse_message: an attachment content type");
        if (a.name.empty() || a.name == "." || a.name == ".." ||
            a.name.find_first_of("/\\") != std::string::npos ||
            std::any_of(a.name.begin(), a.name.end(),
                        [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7F; })) {
            fuzz::die("parse_message: the attachment name " + excerpt(a.name) +
                      " is empty, a path or holds control characters");
        }
        if (a.file.parent_path() != dir || a.file.filename().empty() || a.file.filename() == "." ||
            a.file.filename() == "..") {
            fuzz::die("parse_message: the attachment file " + a.file.string() +
                      " is not directly inside " + dir.string());
        }
        std::error_code ec;
        const auto status = fs::symlink_status(a.file, ec);
        if (ec || !fs::is_regular_file(status))
            fuzz::die("parse_message: the attachment file " + a.file.string() +
                      " is not a regular file");
        const auto size = fs::file_size(a.file, ec);
        if (ec || size != a.size) {
            fuzz::die("parse_message: the attachment file " + a.file.string() + " has " +
                      std::to_string(size) + " bytes, AttachmentInfo::size says " +
                      std::to_string(a.size));
        }
        if (!files.insert(a.file).second)
            fuzz::die("parse_message: two attachments share the file " + a.file.string());
    }
    std::size_t entries = 0;
    std::error_code ec;
    for (auto it = fs::directory_iterator(dir, ec); !ec && it != fs::directory_iterator();
         it.increment(ec)) {
        ++entries;
        if (!files.contains(it->path()))
            fuzz::die("parse_message: " + it->path().string() +
                      " is in the attachment directory but no attachment's file");
    }
    if (ec)
        fuzz::die("cannot list " + dir.string() + ": " + ec.message());
    if (entries != files.size())
        fuzz::die("parse_message: attachment files missing from " + dir.string());
}

void check_parsed(const mime::ParsedMessage& message, const fs::path& dir) {
    require_utf8(message.subject, "parse_message: the subject");
    if (message.from)
        require_utf8(message.from->name, "parse_message: the From display name");
    check_addresses(message.to, "To");
    check_addresses(message.cc, "Cc");
    check_addresses(message.reply_to, "Reply-To");
    if (message.text)
        require_text(*message.text, "parse_message: the text/plain body");
    if (message.html) {
        require_text(*message.html, "parse_message: the text/html body");
        sanitize_and_check(*message.html, "the parsed text/html body");
    }
    check_attachments(message, dir);
    // Touch what the ticket keeps, so a result that refers to freed or bogus data shows.
    std::size_t sum = message.message_id.size() + message.in_reply_to.size();
    for (const auto& id : message.references)
        sum += id.size();
    for (const auto* list : {&message.to, &message.cc, &message.reply_to}) {
        for (const auto& address : *list)
            sum += address.display().size();
    }
    if (message.from)
        sum += message.from->display().size();
    if (message.date)
        sum += static_cast<std::size_t>(message.date->time_since_epoch().count() & 1);
    fuzz::keep(sum);
}

void check_summary(const mime::MessageSummary& summary) {
    require_utf8(summary.subject, "read_summary: the subject");
    require_utf8(summary.from, "read_summary: the From display");
    std::set<std::string_view> seen;
    for (const auto& r : summary.recipients) {
        if (!seen.insert(r).second)
            fuzz::die("read_summary: the recipient " + excerpt(r) + " appears twice");
    }
    std::size_t sum = summary.from_address.size() + summary.message_id.size();
    if (summary.date)
        sum += static_cast<std::size_t>(summary.date->time_since_epoch().count() & 1);
    fuzz::keep(sum);
}

// Nothing but the message file and the attachment directory may be in the scratch directory.
void check_nothing_beside(const fs::path& scratch, const fs::path& message, const fs::path& dir) {
    std::error_code ec;
    for (auto it = fs::directory_iterator(scratch, ec); !ec && it != fs::directory_iterator();
         it.increment(ec)) {
        if (it->path() != message && it->path() != dir)
            fuzz::die("parse_message wrote " + it->path().string() +
                      " outside the attachment directory");
    }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
    fuzz::make_work_root("fuzz_mail_parse");
    return 0;
}

// ---- parse_mailboxes -------------------------------------------------------------------------

void check_mailboxes(std::string_view value) {
    auto boxes = mime::parse_mailboxes(value);
    if (!boxes)
        return;
    for (const auto& box : *boxes) {
        require_utf8(box.name, "parse_mailboxes: a display name");
        require_utf8(box.address, "parse_mailboxes: an address");
        if (box.name.size() > mime::kMaxDisplayName)
            fuzz::die("parse_mailboxes: a name of " + std::to_string(box.name.size()) + " bytes");
        if (box.address.empty() || box.address.size() > mime::kMaxAddress) {
            fuzz::die("parse_mailboxes: an address of " + std::to_string(box.address.size()) +
                      " bytes");
        }
        int ats = 0;
        bool quoted = false;
        bool literal = false;
        for (std::size_t i = 0; i < box.address.size(); ++i) {
            const auto c = static_cast<unsigned char>(box.address[i]);
            if (c < 0x20 || c == 0x7f)
                fuzz::die("parse_mailboxes: a control character in " + excerpt(box.address));
            if (quoted && c == '\\') {
                ++i;
            } else if (c == '"' && !literal) {
                quoted = !quoted;
            } else if (!quoted && c == '[') {
                literal = true;
            } else if (!quoted && c == ']') {
                literal = false;
            } else if (!quoted && !literal && (c == ' ' || c == '\t')) {
                fuzz::die("parse_mailboxes: a space in " + excerpt(box.address));
            } else if (!quoted && !literal && c == '@') {
                ++ats;
            }
        }
        if (ats != 1)
            fuzz::die("parse_mailboxes: " + std::to_string(ats) + " \"@\" in " +
                      excerpt(box.address));
    }
}

// The address header lines of the input's first 100 lines, unfolded no further.
void check_address_lines(std::string_view input) {
    int lines = 0;
    while (!input.empty() && lines++ < 100) {
        const auto end = input.find('\n');
        std::string_view line = input.substr(0, end);
        input = end == std::string_view::npos ? std::string_view() : input.substr(end + 1);
        if (!line.empty() && line.back() == '\r')
            line.remove_suffix(1);
        for (std::string_view name : {"From:", "To:", "Cc:", "Reply-To:"}) {
            if (line.size() >= name.size() && line.substr(0, name.size()) == name) {
                check_mailboxes(line.substr(name.size()));
            }
        }
    }
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    sanitize_and_check(input, "the input");
    check_address_lines(input);

    auto scratch = ScratchDir::create(fuzz::work_root());
    if (!scratch)
        fuzz::die(scratch.error().message());
    const fs::path message = scratch->path() / "message.eml";
    {
        std::ofstream file(message, std::ios::binary | std::ios::trunc);
        file.write(input.data(), static_cast<std::streamsize>(input.size()));
        if (!file.flush())
            fuzz::die("cannot write " + message.string());
    }
    const fs::path attachments = scratch->path() / "attachments";
    std::error_code ec;
    if (!fs::create_directory(attachments, ec))
        fuzz::die("cannot create " + attachments.string() + ": " + ec.message());

    // Subjects from strangers meet the ticket pattern (a 50,000-digit one crashed std::regex).
    static const auto tag = services::TicketTag::compile("Ticket \\((\\d+)\\)");
    if (!tag)
        fuzz::die("the default ticket pattern does not compile");
    if (auto summary = mime::read_summary(message)) {
        check_summary(*summary);
        fuzz::keep(static_cast<std::size_t>(tag->number_in(summary->subject).value_or(0)));
    }
    if (auto parsed = mime::parse_message(message, attachments)) {
        check_parsed(*parsed, attachments);
        fuzz::keep(static_cast<std::size_t>(tag->number_in(parsed->subject).value_or(0)));
    }
    check_nothing_beside(scratch->path(), message, attachments);
    return 0;  // ~ScratchDir removes the message and the attachments
}
