#include "mime/mime_document.h"

#include <fcntl.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <mutex>

#include "core/text.h"
#include "mime/charset.h"
#include "mime/gobject_ptr.h"
#include "mime/smime_parts.h"

namespace casecrypt::mime {
namespace {

constexpr std::size_t kMaxTextBytes = 16 * 1024 * 1024;

std::string lower(std::string_view text) {
    return to_lower_ascii(text);
}

bool ends_with_p7m(const char* name) {
    return name != nullptr && lower(name).ends_with(".p7m");
}

PartKind classify(GMimeObject* object) {
    GMimeContentType* type = g_mime_object_get_content_type(object);
    if (type == nullptr) {
        return PartKind::plain;
    }
    const std::string media = lower(g_mime_content_type_get_media_type(type));
    const std::string sub = lower(g_mime_content_type_get_media_subtype(type));
    if (media == "multipart" && sub == "signed") {
        const char* protocol = g_mime_content_type_get_parameter(type, "protocol");
        const std::string p = protocol != nullptr ? lower(protocol) : "";
        return p == "application/pkcs7-signature" || p == "application/x-pkcs7-signature"
                   ? PartKind::signed_multipart
                   : PartKind::foreign_signed;
    }
    if (media == "application" && (sub == "pkcs7-mime" || sub == "x-pkcs7-mime")) {
        const char* smime_type = g_mime_content_type_get_parameter(type, "smime-type");
        if (smime_type != nullptr && lower(smime_type) == "signed-data") {
            return PartKind::signed_opaque;
        }
        // enveloped-data, authEnveloped-data, or absent (old clients): the CMS tells later.
        return PartKind::enveloped;
    }
    if (media == "application" && sub == "octet-stream" && GMIME_IS_PART(object) &&
        ends_with_p7m(g_mime_part_get_filename(GMIME_PART(object)))) {
        return PartKind::enveloped;
    }
    return PartKind::plain;
}

std::string content_type_text(GMimeObject* object) {
    GMimeContentType* type = g_mime_object_get_content_type(object);
    if (type == nullptr) {
        return "text/plain";
    }
    return lower(std::string(g_mime_content_type_get_media_type(type)) + "/" +
                 g_mime_content_type_get_media_subtype(type));
}

Result<GPtr<GMimeStream>> open_out(const std::filesystem::path& path) {
    GErrorOwner error;
    GPtr<GMimeStream> stream(g_mime_stream_fs_open(
        path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600, error.out()));
    if (!stream) {
        return fail(Errc::io, "cannot write " + path.string() + ": " + error.message());
    }
    return stream;
}

// The filter stream holds its own reference to the filter; ours goes with `filter`.
GPtr<GMimeStream> with_filter(GMimeStream* stream, GPtr<GMimeFilter> filter) {
    GPtr<GMimeStream> filtered(g_mime_stream_filter_new(stream));
    g_mime_stream_filter_add(GMIME_STREAM_FILTER(filtered.get()), filter.get());
    return filtered;
}

Result<void> finish(GMimeStream* stream, const std::filesystem::path& path, bool ok) {
    if (!ok || g_mime_stream_flush(stream) != 0) {
        return fail(Errc::io, "cannot write " + path.string());
    }
    return {};
}

std::string trim_newline(std::string value) {
    while (!value.empty() && (value.back() == '\n' || value.back() == '\r')) {
        value.pop_back();
    }
    return value;
}

}  // namespace

bool has_smime_parts(GMimeObject* body) {
    if (body == nullptr)
        return false;
    if (classify(body) != PartKind::plain)
        return true;
    if (!GMIME_IS_MULTIPART(body))
        return false;
    GMimeMultipart* multipart = GMIME_MULTIPART(body);
    for (int i = 0; i < g_mime_multipart_get_count(multipart); ++i) {
        if (classify(g_mime_multipart_get_part(multipart, i)) != PartKind::plain)
            return true;
    }
    return false;
}

namespace {

std::atomic<std::uint64_t>& parse_counter() {
    static std::atomic<std::uint64_t> counter{0};
    return counter;
}

}  // namespace

void count_parse() {
    parse_counter().fetch_add(1, std::memory_order_relaxed);
}

std::uint64_t parse_count() {
    return parse_counter().load(std::memory_order_relaxed);
}

void init_gmime() {
    static std::once_flag once;
    std::call_once(once, [] { g_mime_init(); });
}

std::string decode_header_text(const std::string& raw_value) {
    init_gmime();
    std::string unfolded;
    for (char c : raw_value) {
        if (c != '\r' && c != '\n')
            unfolded += c;
    }
    const auto first = unfolded.find_first_not_of(" \t");
    unfolded = first == std::string::npos ? "" : unfolded.substr(first);
    GCharPtr decoded(g_mime_utils_header_decode_text(nullptr, unfolded.c_str()));
    return decoded ? decoded.get() : unfolded;
}

bool is_entity_header(const std::string& name) {
    const std::string n = lower(name);
    return n.starts_with("content-") || n == "mime-version";
}

struct MimeDocument::Impl {
    ParserOptionsPtr options;  // those of parse_message, for an adopted parse; freed last
    GPtr<GMimeStream> stream;
    GPtr<GMimeMessage> message;  // set when parsed as a message
    GPtr<GMimeObject> entity;    // set when parsed as an entity
    bool mbox = false;

    GMimeObject* body() const {
        return message ? g_mime_message_get_mime_part(message.get()) : entity.get();
    }
    GMimeObject* part(int index) const {
        GMimeObject* b = body();
        if (index < 0 || b == nullptr || !GMIME_IS_MULTIPART(b)) {
            return b;
        }
        return g_mime_multipart_get_part(GMIME_MULTIPART(b), index);
    }
};

MimeDocument::MimeDocument(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
MimeDocument::~MimeDocument() = default;
MimeDocument::MimeDocument(MimeDocument&&) noexcept = default;
MimeDocument& MimeDocument::operator=(MimeDocument&&) noexcept = default;

MimeDocument adopt_message(GMimeStream* stream, GMimeMessage* message,
                           GMimeParserOptions* options) {
    auto impl = std::make_unique<MimeDocument::Impl>();
    impl->options.reset(options);
    g_object_ref(stream);
    impl->stream.reset(stream);
    g_object_ref(message);
    impl->message.reset(message);
    return MimeDocument(std::move(impl));
}

Result<MimeDocument> MimeDocument::parse_file(const std::filesystem::path& path, bool message) {
    init_gmime();
    count_parse();
    GErrorOwner error;
    auto impl = std::make_unique<Impl>();
    impl->stream.reset(g_mime_stream_fs_open(path.c_str(), O_RDONLY | O_CLOEXEC, 0, error.out()));
    if (!impl->stream) {
        return fail(Errc::io, "cannot read " + path.string() + ": " + error.message());
    }
    GPtr<GMimeParser> parser(g_mime_parser_new_with_stream(impl->stream.get()));
    g_mime_parser_set_persist_stream(parser.get(), TRUE);
    if (message) {
        // A message saved from a mailbox file starts with the mbox "From " line (KMail does).
        char start[5] = {0};
        if (g_mime_stream_read(impl->stream.get(), start, sizeof start) == 5 &&
            std::string_view(start, 5) == "From ") {
            g_mime_parser_set_format(parser.get(), GMIME_FORMAT_MBOX);
            impl->mbox = true;
        }
        g_mime_stream_reset(impl->stream.get());
        g_mime_parser_init_with_stream(parser.get(), impl->stream.get());
    }
    if (message) {
        impl->message.reset(g_mime_parser_construct_message(parser.get(), nullptr));
        if (!impl->message || g_mime_message_get_mime_part(impl->message.get()) == nullptr) {
            return fail(Errc::rejected, "the message cannot be parsed (no RFC 5322 message)");
        }
    } else {
        impl->entity.reset(g_mime_parser_construct_part(parser.get(), nullptr));
        if (!impl->entity) {
            // Content without a header block (RFC 4134 and OpenSSL's own examples encrypt bare
            // text): RFC 2045 section 5.2 makes it text/plain; charset=us-ascii.
            g_mime_stream_reset(impl->stream.get());
            GPtr<GMimeTextPart> text(g_mime_text_part_new_with_subtype("plain"));
            GPtr<GMimeDataWrapper> content(g_mime_data_wrapper_new_with_stream(
                impl->stream.get(), GMIME_CONTENT_ENCODING_DEFAULT));
            g_mime_part_set_content(GMIME_PART(text.get()), content.get());
            impl->entity.reset(GMIME_OBJECT(text.release()));
        }
    }
    return MimeDocument(std::move(impl));
}

std::vector<HeaderField> MimeDocument::headers() const {
    std::vector<HeaderField> fields;
    auto collect = [&](GMimeObject* object) {
        GMimeHeaderList* list = g_mime_object_get_header_list(object);
        const int count = list != nullptr ? g_mime_header_list_get_count(list) : 0;
        for (int i = 0; i < count; ++i) {
            GMimeHeader* header = g_mime_header_list_get_header_at(list, i);
            const char* raw = g_mime_header_get_raw_value(header);
            fields.push_back(
                {g_mime_header_get_name(header), trim_newline(raw != nullptr ? raw : "")});
        }
    };
    if (m_impl->message) {
        collect(GMIME_OBJECT(m_impl->message.get()));
        // GMime keeps the body's Content-* fields on the body; add those not already seen.
        std::vector<HeaderField> own = fields;
        fields.clear();
        collect(m_impl->body());
        std::vector<HeaderField> body = fields;
        fields = own;
        for (const auto& field : body) {
            const bool seen = std::any_of(own.begin(), own.end(), [&](const HeaderField& f) {
                return lower(f.name) == lower(field.name);
            });
            if (!seen) {
                fields.push_back(field);
            }
        }
    } else {
        collect(m_impl->entity.get());
    }
    return fields;
}

std::string MimeDocument::from_address() const {
    InternetAddressList* from = nullptr;
    GPtr<InternetAddressList> parsed;
    if (m_impl->message) {
        from = g_mime_message_get_from(m_impl->message.get());
    } else {
        const char* value = g_mime_object_get_header(m_impl->entity.get(), "From");
        if (value != nullptr) {
            parsed.reset(internet_address_list_parse(nullptr, value));
            from = parsed.get();
        }
    }
    for (int i = 0; from != nullptr && i < internet_address_list_length(from); ++i) {
        InternetAddress* address = internet_address_list_get_address(from, i);
        if (INTERNET_ADDRESS_IS_MAILBOX(address)) {
            return lower(internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(address)));
        }
    }
    return {};
}

bool MimeDocument::is_mbox() const {
    return m_impl->mbox;
}

PartKind MimeDocument::body_kind() const {
    return classify(m_impl->body());
}

std::vector<PartInfo> MimeDocument::parts() const {
    GMimeObject* body = m_impl->body();
    std::vector<PartInfo> out;
    if (GMIME_IS_MULTIPART(body) && classify(body) == PartKind::plain) {
        GMimeMultipart* multipart = GMIME_MULTIPART(body);
        for (int i = 0; i < g_mime_multipart_get_count(multipart); ++i) {
            GMimeObject* child = g_mime_multipart_get_part(multipart, i);
            out.push_back({i, classify(child), content_type_text(child)});
        }
    } else {
        out.push_back({-1, classify(body), content_type_text(body)});
    }
    return out;
}

Layout MimeDocument::layout() const {
    GMimeObject* body = m_impl->body();
    if (classify(body) != PartKind::plain) {
        return Layout::whole;
    }
    if (!has_smime_parts(body)) {
        return Layout::none;
    }
    const auto children = parts();
    if (children.size() == 1 && content_type_text(body) == "multipart/mixed") {
        return Layout::only_part_of_mixed;
    }
    return Layout::mixed_with_plain;
}

Result<void> MimeDocument::write_decoded(int index, const std::filesystem::path& out) const {
    GMimeObject* object = m_impl->part(index);
    if (object == nullptr || !GMIME_IS_PART(object)) {
        return fail(Errc::rejected, "the S/MIME part has no content");
    }
    GMimeDataWrapper* content = g_mime_part_get_content(GMIME_PART(object));
    if (content == nullptr) {
        return fail(Errc::rejected, "the S/MIME part has no content");
    }
    auto stream = open_out(out);
    if (!stream) {
        return std::unexpected(stream.error());
    }
    const bool ok = g_mime_data_wrapper_write_to_stream(content, stream->get()) >= 0;
    return finish(stream->get(), out, ok);
}

Result<void> MimeDocument::write_body_entity_canonical(int fd) const {
    // A pipe stream: a file stream's flush would fsync(), which a pipe refuses.
    GPtr<GMimeStream> stream(g_mime_stream_pipe_new(fd));
    g_mime_stream_pipe_set_owner(GMIME_STREAM_PIPE(stream.get()), FALSE);
    auto filtered = with_filter(stream.get(), GPtr<GMimeFilter>(g_mime_filter_unix2dos_new(FALSE)));
    const bool ok = g_mime_object_write_to_stream(m_impl->body(), nullptr, filtered.get()) >= 0 &&
                    g_mime_stream_flush(filtered.get()) == 0;
    if (!ok) {
        return fail(Errc::io, "cannot write the message entity");
    }
    return {};
}

Result<void> MimeDocument::write_body_entity_content_only(const std::filesystem::path& out) const {
    GMimeObject* body = m_impl->body();
    GMimeHeaderList* list = g_mime_object_get_header_list(body);
    for (int i = g_mime_header_list_get_count(list) - 1; i >= 0; --i) {
        GMimeHeader* header = g_mime_header_list_get_header_at(list, i);
        if (!is_entity_header(g_mime_header_get_name(header))) {
            g_mime_header_list_remove_at(list, i);
        }
    }
    auto stream = open_out(out);
    if (!stream) {
        return std::unexpected(stream.error());
    }
    auto filtered =
        with_filter(stream->get(), GPtr<GMimeFilter>(g_mime_filter_dos2unix_new(FALSE)));
    const bool ok = g_mime_object_write_to_stream(body, nullptr, filtered.get()) >= 0;
    if (g_mime_stream_flush(filtered.get()) != 0) {
        return fail(Errc::io, "cannot write " + out.string());
    }
    return finish(stream->get(), out, ok);
}

Result<void> MimeDocument::write_part(int index, const std::filesystem::path& out) const {
    auto stream = open_out(out);
    if (!stream) {
        return std::unexpected(stream.error());
    }
    auto filtered =
        with_filter(stream->get(), GPtr<GMimeFilter>(g_mime_filter_dos2unix_new(FALSE)));
    const bool ok =
        g_mime_object_write_to_stream(m_impl->part(index), nullptr, filtered.get()) >= 0;
    if (g_mime_stream_flush(filtered.get()) != 0) {
        return fail(Errc::io, "cannot write " + out.string());
    }
    return finish(stream->get(), out, ok);
}

std::optional<std::string> MimeDocument::text() const {
    std::optional<std::string> plain;
    std::optional<std::string> html;
    PartIterPtr iter(g_mime_part_iter_new(m_impl->body()));
    auto visit = [&](GMimeObject* object) {
        if (!GMIME_IS_TEXT_PART(object))
            return;
        // A report's text is for reading: a body larger than this is not copied into memory.
        GMimeDataWrapper* content = g_mime_part_get_content(GMIME_PART(object));
        GMimeStream* raw = content != nullptr ? g_mime_data_wrapper_get_stream(content) : nullptr;
        if (raw != nullptr && g_mime_stream_length(raw) > static_cast<gint64>(kMaxTextBytes))
            return;
        const std::string type = content_type_text(object);
        if (type != "text/plain" && type != "text/html")
            return;
        if ((type == "text/plain" && plain) || (type == "text/html" && html))
            return;
        // GMime's own g_mime_text_part_get_text drops bytes of unknown charsets and stops at
        // a NUL: convert the decoded bytes ourselves.
        GPtr<GMimeStream> decoded(g_mime_stream_mem_new());
        if (content == nullptr || g_mime_data_wrapper_write_to_stream(content, decoded.get()) < 0) {
            return;
        }
        GByteArray* bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(decoded.get()));
        std::string text =
            text_to_utf8(std::string_view(reinterpret_cast<const char*>(bytes->data), bytes->len),
                         g_mime_object_get_content_type_parameter(object, "charset"));
        if (type == "text/plain")
            plain = std::move(text);
        if (type == "text/html")
            html = std::move(text);
    };
    visit(m_impl->body());
    if (g_mime_part_iter_is_valid(iter.get())) {
        do {
            visit(g_mime_part_iter_get_current(iter.get()));
        } while (g_mime_part_iter_next(iter.get()));
    }
    return plain ? plain : html;
}

Result<void> write_message(const std::filesystem::path& out,
                           const std::vector<HeaderField>& headers,
                           const std::filesystem::path& entity) {
    init_gmime();
    auto stream = open_out(out);
    if (!stream) {
        return std::unexpected(stream.error());
    }
    std::string head;
    for (const auto& field : headers) {
        head += field.name + ":" + field.raw_value + "\n";
    }
    bool ok = g_mime_stream_write(stream->get(), head.data(), head.size()) ==
              static_cast<ssize_t>(head.size());
    GErrorOwner error;
    GPtr<GMimeStream> in(
        g_mime_stream_fs_open(entity.c_str(), O_RDONLY | O_CLOEXEC, 0, error.out()));
    if (!in) {
        return fail(Errc::io, "cannot read " + entity.string());
    }
    auto filtered =
        with_filter(stream->get(), GPtr<GMimeFilter>(g_mime_filter_dos2unix_new(FALSE)));
    ok = ok && g_mime_stream_write_to_stream(in.get(), filtered.get()) >= 0;
    if (g_mime_stream_flush(filtered.get()) != 0) {
        ok = false;
    }
    return finish(stream->get(), out, ok);
}

}  // namespace casecrypt::mime
