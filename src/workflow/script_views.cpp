#include "workflow/script_views.h"

#include "core/iso_time.h"

namespace casecrypt::workflow {

using services::MessageView;
using services::SendReport;
using services::TicketSummary;
using services::TicketView;

LuaValue summary_value(const TicketSummary& ticket, const std::optional<std::string>& mailbox) {
    LuaValue v = LuaValue::table();
    v.set("number", LuaValue::of(ticket.number));
    v.set("subject", LuaValue::of(ticket.subject));
    v.set("status", LuaValue::of(to_string(ticket.status)));
    v.set("customer", LuaValue::of(ticket.customer));
    v.set("mailbox", LuaValue::of(mailbox));
    v.set("created", LuaValue::of(to_iso8601(ticket.created)));
    v.set("updated", LuaValue::of(to_iso8601(ticket.updated)));
    v.set("linkedTicket", LuaValue::of(ticket.linked_ticket));
    v.set("encrypted", LuaValue::of(ticket.encrypted));
    return v;
}

LuaValue ticket_value(const TicketView& ticket, const std::optional<std::string>& mailbox) {
    LuaValue v = summary_value(ticket.ticket, mailbox);
    LuaValue messages = LuaValue::array();
    for (const auto& message : ticket.messages)
        messages.add(message_value(message));
    v.set("messages", std::move(messages));
    return v;
}

LuaValue message_value(const MessageView& message) {
    LuaValue v = LuaValue::table();
    v.set("id", LuaValue::of(message.id));
    v.set("direction", LuaValue::of(to_string(message.direction)));
    v.set("from", LuaValue::of(message.from));
    v.set("to", LuaValue::strings(message.to.value_or(std::vector<std::string>{})));
    v.set("cc", LuaValue::strings(message.cc.value_or(std::vector<std::string>{})));
    v.set("subject", LuaValue::of(message.subject));
    v.set("text", LuaValue::of(message.text.value_or("")));
    v.set("encrypted", LuaValue::of(message.encryption.has_value()));
    if (message.signature) {
        const auto& s = *message.signature;
        LuaValue signature = LuaValue::table();
        signature.set("signer", LuaValue::of(s.signer));
        signature.set("valid", LuaValue::of(s.valid));
        signature.set("trusted", LuaValue::of(s.trusted));
        signature.set("matchesFrom", LuaValue::of(s.matches_from));
        if (!s.problem.empty())
            signature.set("problem", LuaValue::of(s.problem));
        v.set("signature", std::move(signature));
    }
    v.set("date", LuaValue::of(to_iso8601(message.date)));
    return v;
}

LuaValue report_value(const SendReport& report, bool dry_run) {
    LuaValue v = LuaValue::table();
    v.set("mailId", LuaValue::of(report.mail_id));
    v.set("decision", LuaValue::of(to_string(report.decision)));
    v.set("encrypted", LuaValue::of(report.encrypted));
    v.set("sentence", LuaValue::of(report.sentence));
    LuaValue recipients = LuaValue::array();
    for (const auto& r : report.recipients) {
        LuaValue recipient = LuaValue::table();
        recipient.set("address", LuaValue::of(r.address));
        recipient.set("kind", LuaValue::of(to_string(r.kind)));
        recipient.set("outcome", LuaValue::of(to_string(r.outcome)));
        if (r.certificate) {
            LuaValue certificate = LuaValue::table();
            certificate.set("fingerprint", LuaValue::of(r.certificate->fingerprint_sha256));
            certificate.set("serial", LuaValue::of(r.certificate->serial));
            certificate.set("notAfter", LuaValue::of(to_iso8601(r.certificate->not_after)));
            certificate.set("source", LuaValue::of(to_string(r.certificate->source)));
            recipient.set("certificate", std::move(certificate));
        }
        recipients.add(std::move(recipient));
    }
    v.set("recipients", std::move(recipients));
    LuaValue outbox = LuaValue::array();
    for (long long id : report.outbox_ids)
        outbox.add(LuaValue::of(id));
    v.set("outbox", std::move(outbox));
    v.set("dryRun", LuaValue::of(dry_run));
    return v;
}

}  // namespace casecrypt::workflow
