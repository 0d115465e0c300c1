#include "services/tickets.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "core/file_io.h"
#include "core/json_text.h"
#include "mime/message_parser.h"
#include "services/send_report_codec.h"
#include "services/ticket_tag.h"
#include "store/guarded.h"

namespace casecrypt::services {
namespace {

Result<TicketTag> ticket_tag(Properties& properties) {
    auto pattern = properties.get_value(kCoreModule, kTicketPattern);
    if (!pattern)
        return std::unexpected(pattern.error());
    auto tag = TicketTag::compile(*pattern);
    if (!tag)
        return std::unexpected(
            tag.error().with_context(std::string(kCoreModule) + " / " + kTicketPattern));
    return tag;
}

nlohmann::json address_list(const std::vector<std::string>& entries) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& e : entries)
        out.push_back(e);
    return out;
}

std::string content_type_for(const std::filesystem::path& file) {
    static const std::pair<const char*, const char*> known[] = {
        {".pdf", "application/pdf"}, {".txt", "text/plain"},      {".html", "text/html"},
        {".png", "image/png"},       {".jpg", "image/jpeg"},      {".jpeg", "image/jpeg"},
        {".gif", "image/gif"},       {".zip", "application/zip"}, {".csv", "text/csv"},
        {".eml", "message/rfc822"},
    };
    const std::string ext = file.extension().string();
    for (const auto& [e, type] : known) {
        if (ext == e)
            return type;
    }
    return "application/octet-stream";
}

}  // namespace

Result<std::vector<store::TicketRecord>> Tickets::list() {
    return m_store.list();
}

Result<TicketView> Tickets::show(long long number) {
    auto ticket = m_store.get(number);
    if (!ticket)
        return std::unexpected(ticket.error());
    if (!*ticket)
        return fail(Errc::not_found, "no ticket " + std::to_string(number));
    auto messages = m_store.messages(number);
    if (!messages)
        return std::unexpected(messages.error());
    return TicketView{std::move(**ticket), std::move(*messages)};
}

Result<void> Tickets::set_status(long long number, const std::string& status,
                                 const std::string& actor) {
    auto changed = m_store.set_status(number, status, m_clock.now());
    if (!changed)
        return std::unexpected(changed.error());
    if (!*changed)
        return fail(Errc::not_found, "no ticket " + std::to_string(number));
    return m_audit.record(m_clock.now(), actor, "ticket." + status, std::to_string(number));
}

Result<std::optional<long long>> Tickets::number_in_subject(const std::string& subject) {
    auto tag = ticket_tag(m_properties);
    if (!tag)
        return std::unexpected(tag.error());
    return tag->number_in(subject);
}

Result<std::string> Tickets::tagged_subject(long long number, const std::string& subject) {
    auto compiled = ticket_tag(m_properties);
    if (!compiled)
        return std::unexpected(compiled.error());
    if (compiled->number_in(subject) == number)
        return subject;
    const std::string tag = compiled->tag(number);
    if (compiled->number_in(tag) != number) {
        auto pattern = m_properties.get_value(kCoreModule, kTicketPattern);
        return fail(Errc::rejected, "cannot write a ticket tag from " + std::string(kCoreModule) +
                                        " / " + kTicketPattern + " (\"" + pattern.value_or("") +
                                        "\"): use a pattern whose text outside the number group "
                                        "is literal");
    }
    return "[" + tag + "] " + subject;
}

Result<TicketChoice> Tickets::choose(const std::string& subject,
                                     const std::vector<std::string>& reply_ids) {
    auto pick = [&](long long number,
                    const std::string& reason) -> Result<std::optional<TicketChoice>> {
        auto ticket = m_store.get(number);
        if (!ticket)
            return std::unexpected(ticket.error());
        if (!*ticket)
            return std::optional<TicketChoice>();
        TicketChoice choice;
        if ((*ticket)->status == "closed") {
            choice.follows_closed = number;
            choice.reason = reason + "; ticket " + std::to_string(number) + " is closed";
        } else {
            choice.existing = number;
            choice.reason = reason;
        }
        return std::optional<TicketChoice>(choice);
    };
    auto tagged = number_in_subject(subject);
    if (!tagged)
        return std::unexpected(tagged.error());
    if (*tagged) {
        auto chosen = pick(**tagged, "subject tag");
        if (!chosen)
            return std::unexpected(chosen.error());
        if (*chosen)
            return **chosen;
    }
    auto replied = m_store.ticket_of_message_ids(reply_ids);
    if (!replied)
        return std::unexpected(replied.error());
    if (*replied) {
        auto chosen = pick(**replied, "reply to a message of the ticket");
        if (!chosen)
            return std::unexpected(chosen.error());
        if (*chosen)
            return **chosen;
    }
    return TicketChoice{std::nullopt, std::nullopt, "new"};
}

Result<std::optional<ReplyTo>> Tickets::reply_threading(long long number) {
    auto ids = m_store.message_ids(number);
    if (!ids)
        return std::unexpected(ids.error());
    if (ids->empty())
        return std::optional<ReplyTo>();
    // RFC 5322 section 3.6.4: References is the parent's References followed by the parent's
    // Message-ID. The parent's own References header is not kept; the ticket's earlier
    // messages are its thread, so their ids (oldest first) stand in for it.
    ReplyTo reply;
    reply.in_reply_to = ids->back();
    for (const auto& id : *ids) {
        if (std::find(reply.references.begin(), reply.references.end(), id) ==
            reply.references.end()) {
            reply.references.push_back(id);
        }
    }
    // The parent last, where RFC 5322 puts it, even when an earlier message reused its id.
    std::erase(reply.references, reply.in_reply_to);
    reply.references.push_back(reply.in_reply_to);
    return std::optional<ReplyTo>(std::move(reply));
}

Result<SendReport> Tickets::send(long long number, SendRequest request) {
    auto ticket = m_store.get(number);
    if (!ticket)
        return std::unexpected(ticket.error());
    if (!*ticket)
        return fail(Errc::not_found, "no ticket " + std::to_string(number));
    auto subject = tagged_subject(number, request.subject);
    if (!subject)
        return std::unexpected(subject.error());
    request.subject = *subject;
    auto threading = reply_threading(number);
    if (!threading)
        return std::unexpected(threading.error());
    return store::in_transaction(
        m_database, "sending a mail for a ticket", [&]() -> Result<SendReport> {
            auto sent = m_outgoing.send(request, *threading);
            if (!sent)
                return sent;
            if (auto recorded = record_sent(number, request, *sent); !recorded) {
                return std::unexpected(recorded.error());
            }
            return sent;
        });
}

Result<long long> Tickets::record_sent(long long number, const SendRequest& request,
                                       const SendReport& result) {
    store::TicketMessageRecord m;
    m.ticket = number;
    m.direction = "out";
    m.message_id = result.mail_id;
    m.from = request.from;
    m.to_json = json_text(address_list(request.to));
    m.cc_json = json_text(address_list(request.cc));
    m.subject = request.subject;
    m.date = m_clock.now();
    m.created_at = m.date;
    m.text = request.text;
    if (request.html)
        m.html = mime::sanitize_html(*request.html);
    m.encrypted = result.encrypted;
    m.report_json = send_report_json(result);
    if (result.encrypted) {
        nlohmann::json certificates = nlohmann::json::array();
        for (const auto& r : result.recipients) {
            if (r.certificate)
                certificates.push_back(r.certificate->fingerprint_sha256);
        }
        auto cipher = m_properties.get_value(kCoreModule, kMailEncryptionCipher);
        if (!cipher)
            return std::unexpected(cipher.error());
        m.encryption_json = json_text({{"certificates", certificates},
                                       {"cipher", *cipher},
                                       {"integrity_protected", *cipher == "aes-256-gcm"}});
    }
    for (const auto& file : request.attachments) {
        auto bytes = read_file(file, 1024ull * 1024 * 1024);
        if (!bytes)
            return std::unexpected(bytes.error());
        store::AttachmentRecord a;
        a.name = file.filename().string();
        a.content_type = content_type_for(file);
        a.size = static_cast<long long>(bytes->size());
        a.content = std::move(*bytes);
        m.attachments.push_back(std::move(a));
    }
    return m_store.add_message(m);
}

}  // namespace casecrypt::services
