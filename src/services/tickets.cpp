#include "services/tickets.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "core/file_io.h"
#include "core/iso_time.h"
#include "core/json_text.h"
#include "core/log.h"
#include "core/output_file.h"
#include "core/text.h"
#include "mime/message_parser.h"
#include "services/send_report_codec.h"
#include "services/ticket_tag.h"
#include "store/audit_log.h"
#include "store/guarded.h"
#include "store/ticket_store.h"

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

TicketSummary summary_of(const store::TicketRecord& t) {
    return TicketSummary{t.number,
                         t.subject,
                         t.status == "closed" ? TicketStatus::closed : TicketStatus::open,
                         t.customer,
                         t.created_at,
                         t.updated_at,
                         t.linked_ticket};
}

std::optional<std::vector<std::string>> list_of(const nlohmann::json& value) {
    if (!value.is_array())
        return std::nullopt;
    std::vector<std::string> out;
    for (const auto& v : value) {
        if (v.is_string())
            out.push_back(v.get<std::string>());
    }
    return out;
}

std::vector<std::string> strings_of(const nlohmann::json& value) {
    std::vector<std::string> out;
    if (!value.is_array())
        return out;
    for (const auto& v : value) {
        if (v.is_string())
            out.push_back(v.get<std::string>());
    }
    return out;
}

std::string string_at(const nlohmann::json& object, const char* key) {
    const auto it = object.find(key);
    return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

bool bool_at(const nlohmann::json& object, const char* key) {
    const auto it = object.find(key);
    return it != object.end() && it->is_boolean() && it->get<bool>();
}

// What the store keeps as JSON text, read into the view (damaged text reads as nothing).
MessageView message_of(const store::TicketMessageRecord& m) {
    MessageView v;
    v.id = m.id;
    v.direction = m.direction == "out" ? MessageDirection::out : MessageDirection::in;
    v.message_id = m.message_id;
    v.date = m.date;
    v.from = m.from;
    v.to = list_of(json_value(m.to_json));
    v.cc = list_of(json_value(m.cc_json));
    v.subject = m.subject;
    v.text = m.text;
    v.html = m.html;
    for (const auto& a : m.attachments) {
        v.attachments.push_back(
            AttachmentView{a.id, a.name, a.content_type, a.size, a.content_id, a.is_inline});
    }
    if (m.encrypted) {
        const auto e = m.encryption_json ? json_value(*m.encryption_json) : nlohmann::json();
        EncryptionView view;
        if (e.is_object()) {
            view.cipher = string_at(e, "cipher");
            view.integrity_protected = bool_at(e, "integrity_protected");
            view.mixed_parts = bool_at(e, "mixed_parts");
            view.received = e.contains("certificate");
            view.certificate = string_at(e, "certificate");
            view.certificates = strings_of(e.value("certificates", nlohmann::json()));
        }
        v.encryption = std::move(view);
    }
    if (m.signature_json) {
        const auto s = json_value(*m.signature_json);
        if (s.is_object()) {
            v.signature =
                SignatureView{string_at(s, "signer"),        string_at(s, "signer_subject"),
                              string_at(s, "signer_sha256"), bool_at(s, "valid"),
                              bool_at(s, "trusted"),         bool_at(s, "matches_from"),
                              string_at(s, "problem")};
        }
    }
    if (m.report_json) {
        const auto report = json_value(*m.report_json);
        if (report.is_object() && report.contains("notes"))
            v.notes = strings_of(report["notes"]);
        if (report.is_object() && report.contains("recipients") &&
            report["recipients"].is_array()) {
            std::vector<SentRecipientView> sent;
            for (const auto& r : report["recipients"]) {
                if (!r.is_object())
                    continue;
                SentRecipientView recipient{string_at(r, "address"), string_at(r, "kind"),
                                            string_at(r, "outcome"), std::nullopt};
                const auto c = r.find("certificate");
                if (c != r.end() && c->is_object()) {
                    recipient.certificate = SentRecipientView::Certificate{
                        string_at(*c, "fingerprint_sha256"), string_at(*c, "source"),
                        string_at(*c, "serial"), string_at(*c, "not_after")};
                }
                sent.push_back(std::move(recipient));
            }
            v.sent_to = std::move(sent);
        }
    }
    return v;
}

}  // namespace

std::string to_string(TicketStatus status) {
    return status == TicketStatus::closed ? "closed" : "open";
}

std::string to_string(MessageDirection direction) {
    return direction == MessageDirection::out ? "out" : "in";
}

std::string to_string(FilingKind kind) {
    switch (kind) {
        case FilingKind::new_ticket:
            return "new ticket";
        case FilingKind::appended:
            return "appended";
        case FilingKind::duplicate:
            return "duplicate";
    }
    return "appended";
}

Result<std::vector<TicketSummary>> Tickets::list() {
    auto records = m_store.list();
    if (!records)
        return std::unexpected(records.error());
    auto encrypted = m_store.encrypted_tickets();
    if (!encrypted)
        return std::unexpected(encrypted.error());
    std::vector<TicketSummary> out;
    out.reserve(records->size());
    for (const auto& r : *records) {
        out.push_back(summary_of(r));
        out.back().encrypted =
            std::find(encrypted->begin(), encrypted->end(), r.number) != encrypted->end();
    }
    return out;
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
    TicketView view{summary_of(**ticket), {}, {}};
    for (const auto& m : *messages) {
        view.messages.push_back(message_of(m));
        view.ticket.encrypted = view.ticket.encrypted || m.encrypted;
    }
    auto notes = m_store.notes(number);
    if (!notes)
        return std::unexpected(notes.error());
    for (const auto& n : *notes) {
        view.notes.push_back(
            {n.id, from_iso8601(n.created_at).value_or(TimePoint{}), n.author, n.text});
    }
    return view;
}

Result<std::pair<long long, MessageView>> Tickets::message(long long id) {
    auto ticket = m_store.ticket_of_message(id);
    if (!ticket)
        return std::unexpected(ticket.error());
    if (!*ticket)
        return fail(Errc::not_found, "no message " + std::to_string(id));
    auto view = show(**ticket);
    if (!view)
        return std::unexpected(view.error());
    for (auto& m : view->messages) {
        if (m.id == id)
            return std::pair<long long, MessageView>(**ticket, std::move(m));
    }
    return fail(Errc::not_found, "no message " + std::to_string(id));
}

Result<std::string> Tickets::reply_sender(long long number) {
    auto view = show(number);
    if (!view)
        return std::unexpected(view.error());
    for (auto it = view->messages.rbegin(); it != view->messages.rend(); ++it) {
        if (it->direction == MessageDirection::in && it->to && !it->to->empty())
            return it->to->front();
    }
    return fail(Errc::rejected, "ticket " + std::to_string(number) +
                                    " has no received mail whose address a reply could come from");
}

Result<void> Tickets::set_status(long long number, TicketStatus status, const std::string& actor) {
    const std::string word = to_string(status);
    bool changed = false;
    auto done =
        store::in_transaction(m_database, "changing a ticket's status", [&]() -> Result<void> {
            auto ticket = m_store.get(number);
            if (!ticket)
                return std::unexpected(ticket.error());
            if (!*ticket)
                return fail(Errc::not_found, "no ticket " + std::to_string(number));
            changed = (*ticket)->status != word;
            if (auto set = m_store.set_status(number, word, m_clock.now()); !set)
                return std::unexpected(set.error());
            if (auto audited =
                    m_audit.record(m_clock.now(), actor, "ticket." + word, std::to_string(number));
                !audited)
                return audited;
            if (!changed)
                return {};
            return m_workflows.record(status == TicketStatus::closed
                                          ? WorkflowEvent::ticket_closed
                                          : WorkflowEvent::ticket_reopened,
                                      number);
        });
    if (!done)
        return done;
    // Committed: the workflows of the change run now (a failing one changes nothing here).
    if (changed) {
        if (auto ran = m_workflows.dispatch_pending(); !ran) {
            spdlog::warn("ticket {}: the workflows of its status change could not run: {}", number,
                         ran.error().message());
        }
    }
    return {};
}

Result<TicketNoteView> Tickets::add_note(long long number, const std::string& text,
                                         const std::string& author) {
    if (text.empty() || text.size() > 64 * 1024)
        return fail(Errc::rejected, "a note has 1 byte to 64 KiB of text");
    if (!is_valid_utf8(text))
        return fail(Errc::rejected, "the note is not valid UTF-8");
    auto ticket = m_store.get(number);
    if (!ticket)
        return std::unexpected(ticket.error());
    if (!*ticket)
        return fail(Errc::not_found, "no ticket " + std::to_string(number));
    const TimePoint now = m_clock.now();
    store::TicketNoteRecord n;
    n.ticket = number;
    n.created_at = to_iso8601(now);
    n.author = author;
    n.text = text;
    auto id = m_store.add_note(n);
    if (!id)
        return std::unexpected(id.error());
    return TicketNoteView{*id, now, author, text};
}

Result<SavedAttachment> Tickets::save_attachment(long long id, const std::filesystem::path& out) {
    auto file = OutputFile::open(out);
    if (!file)
        return std::unexpected(file.error());
    long long written = 0;
    auto found = m_store.read_attachment(id, [&](std::string_view chunk) {
        written += static_cast<long long>(chunk.size());
        return file->write(chunk);
    });
    if (!found)
        return std::unexpected(found.error());
    if (!*found)
        return fail(Errc::not_found, "no attachment " + std::to_string(id));
    if (auto committed = file->commit(); !committed)
        return std::unexpected(committed.error());
    return SavedAttachment{(*found)->id, (*found)->name, (*found)->content_type, written};
}

Result<Filing> Tickets::file_incoming(const IncomingMessage& in) {
    Filing filing;
    // The same mail fetched twice (sent to two of our addresses) is one ticket message; a
    // different mail that reuses a Message-ID is filed like any other, with a note.
    std::vector<std::string> notes;
    if (!in.message_id.empty()) {
        auto earlier = m_store.incoming_with_message_id(in.message_id);
        if (!earlier)
            return std::unexpected(earlier.error());
        for (const auto& copy : *earlier) {
            if (copy.content_digest != in.content_digest)
                continue;
            filing.kind = FilingKind::duplicate;
            filing.ticket = copy.ticket;
            filing.reason = "a copy of ticket message " + std::to_string(copy.id);
            return filing;
        }
        if (!earlier->empty()) {
            filing.reused_message_id = true;
            notes.push_back("this mail reuses the Message-ID <" + in.message_id +
                            "> of a different mail (ticket " +
                            std::to_string(earlier->front().ticket) +
                            "); it is not a copy of that mail");
        }
    }

    std::vector<std::string> reply_ids;
    if (!in.in_reply_to.empty())
        reply_ids.push_back(in.in_reply_to);
    reply_ids.insert(reply_ids.end(), in.references.rbegin(), in.references.rend());
    auto choice = choose(in.subject, reply_ids);
    if (!choice)
        return std::unexpected(choice.error());
    filing.reason = choice->reason;
    if (choice->existing) {
        filing.ticket = *choice->existing;
        filing.kind = FilingKind::appended;
    } else {
        auto created = m_store.create(in.subject.empty() ? "(no subject)" : in.subject, in.customer,
                                      choice->follows_closed, m_clock.now());
        if (!created)
            return std::unexpected(created.error());
        filing.ticket = *created;
        filing.kind = FilingKind::new_ticket;
    }

    store::TicketMessageRecord m;
    m.ticket = filing.ticket;
    m.direction = to_string(MessageDirection::in);
    m.incoming_id = in.incoming_id;
    m.message_id = in.message_id;
    m.from = in.from;
    m.to_json = json_text(address_list(in.to));
    m.cc_json = json_text(address_list(in.cc));
    m.content_digest = in.content_digest;
    if (!notes.empty())
        m.report_json = json_text(nlohmann::json{{"notes", notes}});
    m.subject = in.subject;
    m.date = in.date;
    m.created_at = m_clock.now();
    m.text = in.text;
    m.html = in.html;
    m.encrypted = in.encryption.has_value();
    if (in.encryption) {
        const auto& e = *in.encryption;
        m.encryption_json = json_text({{"certificate", e.certificate},
                                       {"cipher", e.cipher},
                                       {"integrity_protected", e.integrity_protected},
                                       {"mixed_parts", e.mixed_parts}});
    }
    if (in.signature) {
        const auto& s = *in.signature;
        m.signature_json = json_text({{"signer", s.signer},
                                      {"signer_subject", s.signer_subject},
                                      {"signer_sha256", s.signer_sha256},
                                      {"valid", s.valid},
                                      {"trusted", s.trusted},
                                      {"matches_from", s.matches_from},
                                      {"problem", s.problem}});
    }
    for (const auto& a : in.attachments) {
        store::AttachmentRecord attachment;
        attachment.name = a.name;
        attachment.content_type = a.content_type;
        attachment.size = a.size;
        attachment.content_id = a.content_id;
        attachment.is_inline = a.is_inline;
        attachment.file = a.file;
        m.attachments.push_back(std::move(attachment));
    }
    auto added = m_store.add_message(m);
    if (!added)
        return std::unexpected(added.error());
    filing.ticket_message = *added;
    return filing;
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
        if ((*ticket)->status == to_string(TicketStatus::closed)) {
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
    if (request.dry_run)
        return m_outgoing.send(request, *threading);  // decides only: nothing to record
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
        // Stored from the file in chunks, as a received attachment is: never whole in memory.
        std::error_code ec;
        const auto size = std::filesystem::file_size(file, ec);
        if (ec)
            return fail(Errc::io, "cannot read " + file.string() + ": " + ec.message());
        store::AttachmentRecord a;
        a.name = file.filename().string();
        a.content_type = content_type_for(file);
        a.size = static_cast<long long>(size);
        a.file = file;
        m.attachments.push_back(std::move(a));
    }
    return m_store.add_message(m);
}

}  // namespace casecrypt::services
