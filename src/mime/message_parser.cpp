#include "mime/message_parser.h"

#include <fcntl.h>
#include <iconv.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <fstream>

#include "core/text.h"
#include "mime/charset.h"
#include "mime/gobject_ptr.h"
#include "mime/smime_parts.h"

namespace casecrypt::mime {
namespace {

// A text body whose encoded size is larger than this stays a file (an attachment); it is not
// copied into memory.
constexpr std::int64_t kMaxTextBytes = 16 * 1024 * 1024;
// read_summary reads at most this much header; a longer header is cut there.
constexpr std::size_t kMaxHeaderBytes = 1024 * 1024;

std::string lower(std::string_view text) {
    return to_lower_ascii(text);
}

// Lenient parsing for mail from strangers: encoded-words where RFC 2047 forbids them (inside
// quoted strings, glued to text) are decoded, and raw 8-bit header text is read as UTF-8 when it
// is valid UTF-8, else as Windows-1252 (which covers Latin-1 and the curly quotes of Outlook).
ParserOptionsPtr make_options() {
    ParserOptionsPtr options(g_mime_parser_options_new());
    static const char* kFallback[] = {"utf-8", "windows-1252", nullptr};
    g_mime_parser_options_set_fallback_charsets(options.get(), kFallback);
    g_mime_parser_options_set_rfc2047_compliance_mode(options.get(), GMIME_RFC_COMPLIANCE_LOOSE);
    g_mime_parser_options_set_address_compliance_mode(options.get(), GMIME_RFC_COMPLIANCE_LOOSE);
    g_mime_parser_options_set_parameter_compliance_mode(options.get(), GMIME_RFC_COMPLIANCE_LOOSE);
    return options;
}

std::string crlf_to_lf(std::string text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (!(text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n'))
            out += text[i];
    }
    return out;
}

// ---- header fields --------------------------------------------------------------------------

// An object's own header fields, raw.
std::vector<HeaderField> header_fields(GMimeObject* object) {
    std::vector<HeaderField> fields;
    GMimeHeaderList* list = g_mime_object_get_header_list(object);
    const int count = list != nullptr ? g_mime_header_list_get_count(list) : 0;
    for (int i = 0; i < count; ++i) {
        GMimeHeader* h = g_mime_header_list_get_header_at(list, i);
        const char* raw = g_mime_header_get_raw_value(h);
        fields.push_back({g_mime_header_get_name(h), raw != nullptr ? raw : ""});
    }
    return fields;
}

// A header value GMime decoded (RFC 2047, raw 8-bit), as clean UTF-8: GMime converts with the
// same iconv that can return sequences beyond U+10FFFF.
std::string or_empty(const char* text) {
    return text != nullptr ? clean_utf8(text) : "";
}

void append_addresses(InternetAddressList* list, std::vector<MailAddress>& out) {
    const int count = list != nullptr ? internet_address_list_length(list) : 0;
    for (int i = 0; i < count; ++i) {
        InternetAddress* address = internet_address_list_get_address(list, i);
        if (INTERNET_ADDRESS_IS_GROUP(address)) {  // "Team: a@x, b@y;" counts as its members
            append_addresses(internet_address_group_get_members(INTERNET_ADDRESS_GROUP(address)),
                             out);
        } else if (INTERNET_ADDRESS_IS_MAILBOX(address)) {
            out.push_back(
                {or_empty(internet_address_get_name(address)),
                 lower(internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(address)))});
        }
    }
}

std::vector<MailAddress> addresses(InternetAddressList* list) {
    std::vector<MailAddress> out;
    append_addresses(list, out);
    return out;
}

std::optional<TimePoint> message_date(GMimeMessage* message) {
    GDateTime* date = g_mime_message_get_date(message);  // owned by the message
    if (date == nullptr)
        return std::nullopt;
    return TimePoint(std::chrono::seconds(g_date_time_to_unix(date)));
}

std::vector<std::string> message_ids(GMimeParserOptions* options, const char* value) {
    std::vector<std::string> ids;
    if (value == nullptr)
        return ids;
    ReferencesPtr references(g_mime_references_parse(options, value));
    for (int i = 0; references && i < g_mime_references_length(references.get()); ++i) {
        ids.emplace_back(g_mime_references_get_message_id(references.get(), i));
    }
    return ids;
}

// ---- attachments ----------------------------------------------------------------------------

std::string content_type_of(GMimeObject* object) {
    GMimeContentType* type = g_mime_object_get_content_type(object);
    if (type == nullptr)
        return "text/plain";
    return lower(or_empty(g_mime_content_type_get_media_type(type)) + "/" +
                 or_empty(g_mime_content_type_get_media_subtype(type)));
}

bool disposition_is(GMimeObject* object, std::string_view value) {
    GMimeContentDisposition* disposition = g_mime_object_get_content_disposition(object);
    return disposition != nullptr &&
           lower(or_empty(g_mime_content_disposition_get_disposition(disposition))) == value;
}

std::string extension_for(const std::string& content_type) {
    static const std::pair<const char*, const char*> kKnown[] = {
        {"application/pdf", ".pdf"},
        {"image/png", ".png"},
        {"image/jpeg", ".jpg"},
        {"image/gif", ".gif"},
        {"image/webp", ".webp"},
        {"text/plain", ".txt"},
        {"text/html", ".html"},
        {"text/csv", ".csv"},
        {"text/calendar", ".ics"},
        {"message/rfc822", ".eml"},
        {"application/zip", ".zip"},
        {"application/pkcs7-signature", ".p7s"},
        {"application/pkcs7-mime", ".p7m"}};
    for (const auto& [type, extension] : kKnown) {
        if (content_type == type)
            return extension;
    }
    return ".bin";
}

// The last path component of a name a stranger chose ("../../etc/passwd" -> "passwd",
// "C:\x\y.exe" -> "y.exe"), without control characters; "" when nothing usable is left.
std::string file_name_only(std::string name) {
    if (!valid_utf8(name))
        name = windows_1252_to_utf8(name);
    const auto slash = name.find_last_of("/\\");
    if (slash != std::string::npos)
        name.erase(0, slash + 1);
    std::erase_if(name, [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7F; });
    const auto first = name.find_first_not_of(' ');
    name = first == std::string::npos ? ""
                                      : name.substr(first, name.find_last_not_of(' ') - first + 1);
    return name == "." || name == ".." ? "" : name;
}

// A new file in `dir` that did not exist before (O_EXCL: nothing is overwritten, no symlink is
// followed), as a GMime stream that owns the descriptor. A pipe stream, not a file stream: a
// file stream's flush is an fsync, and one fsync per part made a 50,000-part mail take 299 s.
Result<std::pair<std::filesystem::path, GPtr<GMimeStream>>> create_file(
    const std::filesystem::path& dir, int& counter) {
    for (;;) {
        auto path = dir / ("part-" + std::to_string(++counter));
        const int fd =
            ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd >= 0) {
            return std::pair{std::move(path), GPtr<GMimeStream>(g_mime_stream_pipe_new(fd))};
        }
        if (errno != EEXIST) {
            return fail(Errc::io, "cannot create " + path.string() + ": " + g_strerror(errno));
        }
    }
}

std::string named(const std::string& name) {
    return name.empty() ? "" : " (" + name + ")";
}

// The parts and nesting depth of a MIME tree, counted without recursion (the tree comes from a
// stranger); stops counting once past the limits.
Result<void> check_structure(GMimeObject* root, const ParseLimits& limits) {
    std::vector<std::pair<GMimeObject*, int>> pending{{root, 1}};
    int parts = 0;
    while (!pending.empty()) {
        const auto [object, depth] = pending.back();
        pending.pop_back();
        if (++parts > limits.max_parts) {
            return fail(Errc::rejected, "the mail has more than " +
                                            std::to_string(limits.max_parts) + " MIME parts" +
                                            named(limits.parts_name));
        }
        if (depth > limits.max_depth) {
            return fail(Errc::rejected, "the mail's MIME parts are nested deeper than " +
                                            std::to_string(limits.max_depth) + " levels" +
                                            named(limits.depth_name));
        }
        if (GMIME_IS_MULTIPART(object)) {
            GMimeMultipart* multipart = GMIME_MULTIPART(object);
            for (int i = g_mime_multipart_get_count(multipart) - 1; i >= 0; --i) {
                pending.emplace_back(g_mime_multipart_get_part(multipart, i), depth + 1);
            }
        } else if (GMIME_IS_MESSAGE_PART(object)) {
            GMimeMessage* inner = g_mime_message_part_get_message(GMIME_MESSAGE_PART(object));
            GMimeObject* body = inner != nullptr ? g_mime_message_get_mime_part(inner) : nullptr;
            if (body != nullptr)
                pending.emplace_back(body, depth + 1);
        }
    }
    return {};
}

// Walks the MIME tree: the first plain and HTML texts become the bodies, every other leaf (and
// each message/rfc822, whole) an attachment file.
class BodyWalker {
public:
    BodyWalker(ParsedMessage& out, const std::filesystem::path& dir) : m_out(out), m_dir(dir) {}

    Result<void> visit(GMimeObject* object) {
        if (GMIME_IS_MULTIPART(object)) {
            GMimeMultipart* multipart = GMIME_MULTIPART(object);
            for (int i = 0; i < g_mime_multipart_get_count(multipart); ++i) {
                if (auto r = visit(g_mime_multipart_get_part(multipart, i)); !r)
                    return r;
            }
            return {};
        }
        if (GMIME_IS_PART(object) && take_as_text(GMIME_PART(object))) {
            return {};
        }
        return attach(object);
    }

private:
    std::optional<std::string>* text_slot(GMimePart* part) {
        const std::string type = content_type_of(GMIME_OBJECT(part));
        auto* slot = type == "text/plain"  ? &m_out.text
                     : type == "text/html" ? &m_out.html
                                           : nullptr;
        return slot != nullptr && !slot->has_value() ? slot : nullptr;
    }

    bool take_as_text(GMimePart* part) {
        std::optional<std::string>* slot = text_slot(part);
        if (slot == nullptr || disposition_is(GMIME_OBJECT(part), "attachment"))
            return false;
        GMimeDataWrapper* content = g_mime_part_get_content(part);
        GMimeStream* raw = content != nullptr ? g_mime_data_wrapper_get_stream(content) : nullptr;
        if (raw != nullptr && g_mime_stream_length(raw) > kMaxTextBytes)
            return false;
        std::string bytes;
        if (content != nullptr) {
            GPtr<GMimeStream> memory(g_mime_stream_mem_new());
            g_mime_data_wrapper_write_to_stream(content, memory.get());
            GByteArray* array = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(memory.get()));
            bytes.assign(reinterpret_cast<const char*>(array->data), array->len);
        }
        GMimeContentType* type = g_mime_object_get_content_type(GMIME_OBJECT(part));
        *slot = crlf_to_lf(text_to_utf8(bytes, g_mime_content_type_get_parameter(type, "charset")));
        return true;
    }

    Result<void> attach(GMimeObject* object) {
        AttachmentInfo info;
        info.content_type = content_type_of(object);
        info.content_id = or_empty(g_mime_object_get_content_id(object));
        info.is_inline = disposition_is(object, "inline");
        auto file = create_file(m_dir, m_files);
        if (!file)
            return std::unexpected(file.error());
        GMimeStream* stream = file->second.get();
        bool ok = true;
        if (GMIME_IS_MESSAGE_PART(object)) {
            GMimeMessage* inner = g_mime_message_part_get_message(GMIME_MESSAGE_PART(object));
            if (inner != nullptr) {
                info.name = file_name_only(or_empty(g_mime_message_get_subject(inner)));
                ok = g_mime_object_write_to_stream(GMIME_OBJECT(inner), nullptr, stream) >= 0;
            }
            if (!info.name.empty())
                info.name += ".eml";
        } else if (GMIME_IS_PART(object)) {
            info.name = file_name_only(or_empty(g_mime_part_get_filename(GMIME_PART(object))));
            GMimeDataWrapper* content = g_mime_part_get_content(GMIME_PART(object));
            ok = content == nullptr || g_mime_data_wrapper_write_to_stream(content, stream) >= 0;
        }
        if (!ok || g_mime_stream_flush(stream) != 0) {
            return fail(Errc::io, "cannot write " + file->first.string());
        }
        const auto index = m_out.attachments.size() + 1;
        if (info.name.empty()) {
            info.name = "attachment-" + std::to_string(index) + extension_for(info.content_type);
        }
        std::error_code error;
        info.size = std::filesystem::file_size(file->first, error);
        info.file = file->first;
        m_out.attachments.push_back(std::move(info));
        return {};
    }

    ParsedMessage& m_out;
    const std::filesystem::path& m_dir;
    int m_files = 0;
};

Result<GPtr<GMimeStream>> open_in(const std::filesystem::path& path) {
    GErrorOwner error;
    GPtr<GMimeStream> stream(
        g_mime_stream_fs_open(path.c_str(), O_RDONLY | O_CLOEXEC, 0, error.out()));
    if (!stream) {
        return fail(Errc::io, "cannot read " + path.string() + ": " + error.message());
    }
    return stream;
}

// The header block of a message file (up to the empty line), without an mbox "From " line.
// At most kMaxHeaderBytes are read, whatever the file holds (a body without line breaks too).
Result<std::string> read_header_block(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return fail(Errc::io, "cannot read " + path.string());
    }
    std::string data(kMaxHeaderBytes, '\0');
    in.read(data.data(), static_cast<std::streamsize>(data.size()));
    data.resize(static_cast<std::size_t>(in.gcount()));
    std::size_t begin = 0;
    if (data.starts_with("From ")) {
        begin = std::min(data.find('\n'), data.size() - 1) + 1;
    }
    for (std::size_t pos = begin; pos < data.size();) {
        const std::size_t end = std::min(data.find('\n', pos), data.size());
        if (end == pos || (end == pos + 1 && data[pos] == '\r')) {
            data.resize(pos);
            break;
        }
        pos = end + 1;
    }
    return data.substr(begin);
}

}  // namespace

std::string MailAddress::display() const {
    if (name.empty())
        return address;
    static constexpr std::string_view kSpecials = "()<>[]:;@\\,.\"";
    const bool quote = name.find_first_of(kSpecials) != std::string::npos || name.front() == ' ' ||
                       name.back() == ' ';
    if (!quote)
        return name + " <" + address + ">";
    std::string quoted = "\"";
    for (char c : name) {
        if (c == '"' || c == '\\')
            quoted += '\\';
        quoted += c;
    }
    return quoted + "\" <" + address + ">";
}

namespace {
// A header field's first word, lower-cased ("auto-replied" of "Auto-Replied; reason=x");
// empty when the field is absent.
std::string header_word(GMimeObject* object, const char* name) {
    std::string value = to_lower_ascii(or_empty(g_mime_object_get_header(object, name)));
    const auto begin = value.find_first_not_of(" \t");
    if (begin == std::string::npos)
        return "";
    const auto end = value.find_first_of(" \t;", begin);
    return value.substr(begin, end == std::string::npos ? std::string::npos : end - begin);
}
}  // namespace

Result<ParsedMessage> parse_message(const std::filesystem::path& path,
                                    const std::filesystem::path& attachment_dir,
                                    const ParseLimits& limits, bool stop_at_smime) {
    init_gmime();
    count_parse();
    auto stream = open_in(path);
    if (!stream)
        return std::unexpected(stream.error());
    // Whether an mbox "From " line comes first: MimeDocument reads such a file in mbox format.
    char start[5] = {0};
    const bool mbox = g_mime_stream_read(stream->get(), start, sizeof start) == 5 &&
                      std::string_view(start, 5) == "From ";
    g_mime_stream_reset(stream->get());
    // Persistent: bodies stay in the file and are decoded from it straight into their files.
    GPtr<GMimeParser> parser(g_mime_parser_new_with_stream(stream->get()));
    g_mime_parser_set_persist_stream(parser.get(), TRUE);
    ParserOptionsPtr options = make_options();
    GPtr<GMimeMessage> message(g_mime_parser_construct_message(parser.get(), options.get()));
    if (!message || g_mime_message_get_mime_part(message.get()) == nullptr) {
        return fail(Errc::rejected, path.filename().string() + " is not an RFC 5322 message");
    }
    GMimeMessage* m = message.get();
    if (auto fits = check_structure(g_mime_message_get_mime_part(m), limits); !fits) {
        return std::unexpected(fits.error());
    }
    ParsedMessage out;
    out.message_id = or_empty(g_mime_message_get_message_id(m));
    const auto in_reply_to =
        message_ids(options.get(), g_mime_object_get_header(GMIME_OBJECT(m), "In-Reply-To"));
    if (!in_reply_to.empty())
        out.in_reply_to = in_reply_to.front();
    out.references =
        message_ids(options.get(), g_mime_object_get_header(GMIME_OBJECT(m), "References"));
    const auto from = addresses(g_mime_message_get_from(m));
    if (!from.empty())
        out.from = from.front();
    out.to = addresses(g_mime_message_get_to(m));
    out.cc = addresses(g_mime_message_get_cc(m));
    out.reply_to = addresses(g_mime_message_get_reply_to(m));
    out.subject = or_empty(g_mime_message_get_subject(m));
    out.date = message_date(m);
    out.auto_submitted = header_word(GMIME_OBJECT(m), "Auto-Submitted");
    out.precedence = header_word(GMIME_OBJECT(m), "Precedence");
    const auto fields = header_fields(GMIME_OBJECT(m));
    out.has_header = !fields.empty();
    out.recipients = recipient_addresses(fields);
    if (stop_at_smime && has_smime_parts(g_mime_message_get_mime_part(m))) {
        out.smime = true;
        if (!mbox)
            out.document =
                std::make_shared<MimeDocument>(adopt_message(stream->get(), m, options.release()));
        return out;
    }
    BodyWalker walker(out, attachment_dir);
    if (auto r = walker.visit(g_mime_message_get_mime_part(m)); !r)
        return std::unexpected(r.error());
    return out;
}

Result<MessageSummary> read_summary(const std::filesystem::path& path) {
    init_gmime();
    auto header = read_header_block(path);
    if (!header)
        return std::unexpected(header.error());
    *header += "\n";  // the empty body: GMime sees a whole message and never the real body
    GPtr<GMimeStream> stream(g_mime_stream_mem_new_with_buffer(header->data(), header->size()));
    GPtr<GMimeParser> parser(g_mime_parser_new_with_stream(stream.get()));
    ParserOptionsPtr options = make_options();
    GPtr<GMimeMessage> message(g_mime_parser_construct_message(parser.get(), options.get()));
    GMimeHeaderList* list =
        message ? g_mime_object_get_header_list(GMIME_OBJECT(message.get())) : nullptr;
    if (list == nullptr || g_mime_header_list_get_count(list) == 0) {
        return fail(Errc::rejected, path.filename().string() + " has no message header");
    }
    MessageSummary out;
    out.subject = or_empty(g_mime_message_get_subject(message.get()));
    const auto from = addresses(g_mime_message_get_from(message.get()));
    if (!from.empty()) {
        out.from = from.front().display();
        out.from_address = from.front().address;
    }
    out.message_id = or_empty(g_mime_message_get_message_id(message.get()));
    out.date = message_date(message.get());
    out.recipients = recipient_addresses(header_fields(GMIME_OBJECT(message.get())));
    return out;
}

std::vector<std::string> recipient_addresses(const std::vector<HeaderField>& headers) {
    init_gmime();
    ParserOptionsPtr options = make_options();
    static constexpr std::array<std::string_view, 6> kFields = {
        "to", "cc", "delivered-to", "x-original-to", "resent-to", "envelope-to"};
    std::vector<std::string> out;
    for (std::string_view field : kFields) {
        for (const auto& h : headers) {
            if (lower(h.name) != field)
                continue;
            GPtr<InternetAddressList> parsed(
                internet_address_list_parse(options.get(), clean_utf8(h.raw_value).c_str()));
            for (auto& address : addresses(parsed.get())) {
                if (std::find(out.begin(), out.end(), address.address) == out.end())
                    out.push_back(std::move(address.address));
            }
        }
    }
    return out;
}

}  // namespace casecrypt::mime
