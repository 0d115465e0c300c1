#include "mime/message_builder.h"

#include <fcntl.h>

#include <algorithm>
#include <cctype>
#include <mutex>
#include <random>
#include <string_view>

#include "core/text.h"
#include "mime/address_list.h"
#include "mime/gobject_ptr.h"

namespace casecrypt::mime {
namespace {

std::string lower(std::string_view text) {
    return to_lower_ascii(text);
}

// A few common types by extension; everything else is application/octet-stream.
std::pair<std::string, std::string> guess_type(const std::filesystem::path& file) {
    const std::string ext = lower(file.extension().string());
    if (ext == ".pdf")
        return {"application", "pdf"};
    if (ext == ".txt" || ext == ".log")
        return {"text", "plain"};
    if (ext == ".png")
        return {"image", "png"};
    if (ext == ".jpg" || ext == ".jpeg")
        return {"image", "jpeg"};
    if (ext == ".gif")
        return {"image", "gif"};
    if (ext == ".zip")
        return {"application", "zip"};
    if (ext == ".csv")
        return {"text", "csv"};
    if (ext == ".html" || ext == ".htm")
        return {"text", "html"};
    return {"application", "octet-stream"};
}

Result<void> add_list(GMimeMessage* message, GMimeAddressType type,
                      const std::vector<std::string>& entries) {
    InternetAddressList* list = g_mime_message_get_addresses(message, type);
    for (const auto& entry : entries) {
        auto mailboxes = parse_mailboxes(entry);
        if (!mailboxes)
            return std::unexpected(mailboxes.error());
        for (const auto& mailbox : *mailboxes) {
            // Built from what was checked, so the header says exactly what the envelope gets.
            GPtr<InternetAddress> address(
                internet_address_mailbox_new(mailbox.name.c_str(), mailbox.address.c_str()));
            internet_address_list_add(list, address.get());
        }
    }
    return {};
}

GPtr<GMimeObject> text_part(const std::string& subtype, const std::string& text) {
    GMimeTextPart* part = g_mime_text_part_new_with_subtype(subtype.c_str());
    g_mime_text_part_set_text(part, text.c_str());  // UTF-8; the charset parameter follows
    // 7-bit-safe transfer encoding (quoted-printable or base64, whichever is shorter).
    g_mime_object_encode(GMIME_OBJECT(part), GMIME_ENCODING_CONSTRAINT_7BIT);
    return GPtr<GMimeObject>(GMIME_OBJECT(part));
}

}  // namespace

std::string make_message_id(const std::string& from_address) {
    static constexpr char kDigits[] = "0123456789abcdefghijklmnopqrstuvwxyz";
    std::random_device random;
    std::string local;
    for (int i = 0; i < 24; ++i)
        local += kDigits[random() % 36];
    const auto at = from_address.rfind('@');
    const std::string domain =
        at == std::string::npos ? "casecrypt.invalid" : from_address.substr(at + 1);
    return local + "@" + domain;
}

Result<std::vector<std::string>> parse_addresses(const std::string& value) {
    auto mailboxes = parse_mailboxes(value);
    if (!mailboxes)
        return std::unexpected(mailboxes.error());
    std::vector<std::string> out;
    for (const auto& mailbox : *mailboxes)
        out.push_back(lower(mailbox.address));
    return out;
}

Result<void> build_message(const NewMessage& m, const std::filesystem::path& out) {
    init_gmime();
    GPtr<GMimeMessage> message(g_mime_message_new(TRUE));
    if (auto r = add_list(message.get(), GMIME_ADDRESS_TYPE_FROM, {m.from}); !r)
        return r;
    if (auto r = add_list(message.get(), GMIME_ADDRESS_TYPE_TO, m.to); !r)
        return r;
    if (auto r = add_list(message.get(), GMIME_ADDRESS_TYPE_CC, m.cc); !r)
        return r;
    if (auto r = add_list(message.get(), GMIME_ADDRESS_TYPE_REPLY_TO, m.reply_to); !r)
        return r;
    g_mime_message_set_subject(message.get(), m.subject.c_str(), "utf-8");
    GDateTime* date = g_date_time_new_from_unix_utc(m.date.time_since_epoch().count());
    g_mime_message_set_date(message.get(), date);
    g_date_time_unref(date);
    g_mime_message_set_message_id(message.get(), m.message_id.c_str());
    // GMime folds these at the spaces between the ids when they grow long.
    if (!m.in_reply_to.empty()) {
        const std::string value = "<" + m.in_reply_to + ">";
        g_mime_object_set_header(GMIME_OBJECT(message.get()), "In-Reply-To", value.c_str(),
                                 nullptr);
    }
    if (!m.references.empty()) {
        std::string value;
        for (const auto& id : m.references)
            value += (value.empty() ? "<" : " <") + id + ">";
        g_mime_object_set_header(GMIME_OBJECT(message.get()), "References", value.c_str(), nullptr);
    }
    for (const auto& field : m.extra) {
        g_mime_object_set_header(GMIME_OBJECT(message.get()), field.name.c_str(),
                                 field.raw_value.c_str(), nullptr);
    }

    GPtr<GMimeObject> body = text_part("plain", m.text);
    if (m.html) {
        GPtr<GMimeMultipart> alternative(g_mime_multipart_new_with_subtype("alternative"));
        g_mime_multipart_add(alternative.get(), body.get());
        g_mime_multipart_add(alternative.get(), text_part("html", *m.html).get());
        body.reset(GMIME_OBJECT(alternative.release()));
    }
    if (!m.attachments.empty()) {
        GPtr<GMimeMultipart> mixed(g_mime_multipart_new_with_subtype("mixed"));
        g_mime_multipart_add(mixed.get(), body.get());
        for (std::size_t i = 0; i < m.attachments.size(); ++i) {
            const auto& file = m.attachments[i];
            GErrorOwner error;
            GPtr<GMimeStream> stream(
                g_mime_stream_fs_open(file.c_str(), O_RDONLY | O_CLOEXEC, 0, error.out()));
            if (!stream) {
                return fail(Errc::io,
                            "cannot read attachment " + file.string() + ": " + error.message());
            }
            auto [type, subtype] = guess_type(file);
            if (i < m.attachment_types.size() && !m.attachment_types[i].empty()) {
                const std::string& given = m.attachment_types[i];
                const auto slash = given.find('/');
                const bool token = std::all_of(given.begin(), given.end(), [](char c) {
                    return std::isalnum(static_cast<unsigned char>(c)) ||
                           std::string_view("/!#$&^_.+-").find(c) != std::string_view::npos;
                });
                if (slash == std::string::npos || slash == 0 || slash + 1 == given.size() ||
                    given.find('/', slash + 1) != std::string::npos || !token) {
                    return fail(Errc::rejected,
                                "\"" + given + "\" is no content type (type/subtype)");
                }
                type = given.substr(0, slash);
                subtype = given.substr(slash + 1);
            }
            GPtr<GMimePart> part(g_mime_part_new_with_type(type.c_str(), subtype.c_str()));
            GPtr<GMimeDataWrapper> content(
                g_mime_data_wrapper_new_with_stream(stream.get(), GMIME_CONTENT_ENCODING_DEFAULT));
            g_mime_part_set_content(part.get(), content.get());
            // GMime writes RFC 2231 parameters for names that need them.
            g_mime_part_set_filename(part.get(), file.filename().c_str());
            g_mime_part_set_content_encoding(part.get(), GMIME_CONTENT_ENCODING_BASE64);
            g_mime_multipart_add(mixed.get(), GMIME_OBJECT(part.get()));
        }
        body.reset(GMIME_OBJECT(mixed.release()));
    }
    g_mime_message_set_mime_part(message.get(), body.get());

    GErrorOwner error;
    GPtr<GMimeStream> stream(g_mime_stream_fs_open(
        out.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600, error.out()));
    if (!stream) {
        return fail(Errc::io, "cannot write " + out.string());
    }
    if (g_mime_object_write_to_stream(GMIME_OBJECT(message.get()), nullptr, stream.get()) < 0 ||
        g_mime_stream_flush(stream.get()) != 0) {
        return fail(Errc::io, "cannot write " + out.string());
    }
    return {};
}

}  // namespace casecrypt::mime
