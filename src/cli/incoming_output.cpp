#include "cli/incoming_output.h"

#include "core/iso_time.h"

namespace casecrypt::cli {
namespace {

nlohmann::json optional_text(const std::optional<std::string>& text) {
    return text ? nlohmann::json(*text) : nlohmann::json(nullptr);
}

nlohmann::json string_list(const std::optional<std::vector<std::string>>& list) {
    if (!list)
        return nullptr;  // what the store kept can no longer be read
    return *list;
}

nlohmann::json encryption_json(const services::EncryptionView& e) {
    if (e.received) {
        return {{"certificate", e.certificate},
                {"cipher", e.cipher},
                {"integrity_protected", e.integrity_protected},
                {"mixed_parts", e.mixed_parts}};
    }
    return {{"certificates", e.certificates},
            {"cipher", e.cipher},
            {"integrity_protected", e.integrity_protected}};
}

nlohmann::json signature_json(const services::SignatureView& s) {
    return {{"signer", s.signer},
            {"signer_subject", s.signer_subject},
            {"signer_sha256", s.signer_sha256},
            {"valid", s.valid},
            {"trusted", s.trusted},
            {"matches_from", s.matches_from},
            {"problem", s.problem}};
}

nlohmann::json sent_to_json(const std::vector<services::SentRecipientView>& recipients) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& r : recipients) {
        nlohmann::json certificate = nullptr;
        if (r.certificate) {
            certificate = {{"fingerprint_sha256", r.certificate->fingerprint_sha256},
                           {"source", r.certificate->source},
                           {"serial", r.certificate->serial},
                           {"not_after", r.certificate->not_after}};
        }
        out.push_back({{"address", r.address},
                       {"kind", r.kind},
                       {"outcome", r.outcome},
                       {"certificate", certificate}});
    }
    return out;
}

nlohmann::json message_json(const services::MessageView& m) {
    nlohmann::json attachments = nlohmann::json::array();
    for (const auto& a : m.attachments) {
        attachments.push_back({{"id", a.id},
                               {"name", a.name},
                               {"type", a.content_type},
                               {"size", a.size},
                               {"inline", a.is_inline},
                               {"content_id", a.content_id}});
    }
    return {{"direction", to_string(m.direction)},
            {"message_id", m.message_id},
            {"from", m.from},
            {"to", string_list(m.to)},
            {"cc", string_list(m.cc)},
            {"subject", m.subject},
            {"date", to_iso8601(m.date)},
            {"text", optional_text(m.text)},
            {"html", optional_text(m.html)},
            {"attachments", attachments},
            {"encrypted", m.encryption.has_value()},
            {"encryption", m.encryption ? encryption_json(*m.encryption) : nullptr},
            {"signature", m.signature ? signature_json(*m.signature) : nullptr},
            {"report", m.sent_to ? sent_to_json(*m.sent_to) : nullptr},
            {"notes", m.notes}};
}

nlohmann::json counts_json(const services::RoundCounts& c, nlohmann::json out) {
    out["fetched"] = c.fetched;
    out["new_tickets"] = c.new_tickets;
    out["appended"] = c.appended;
    out["backups"] = c.backups;
    out["duplicates"] = c.duplicates;
    out["failed"] = c.failed;
    return out;
}

std::string plural(int n, const std::string& one, const std::string& many) {
    return std::to_string(n) + " " + (n == 1 ? one : many);
}

}  // namespace

nlohmann::json ticket_json(const services::TicketSummary& t) {
    return {{"number", t.number},
            {"subject", t.subject},
            {"status", to_string(t.status)},
            {"customer", t.customer},
            {"created", to_iso8601(t.created)},
            {"updated", to_iso8601(t.updated)},
            {"linked_ticket", t.linked_ticket ? nlohmann::json(*t.linked_ticket) : nullptr}};
}

nlohmann::json ticket_json(const services::TicketView& view) {
    nlohmann::json out = ticket_json(view.ticket);
    out["messages"] = nlohmann::json::array();
    for (const auto& m : view.messages)
        out["messages"].push_back(message_json(m));
    return out;
}

nlohmann::json backup_json(const services::BackupView& b) {
    return {{"id", b.id},
            {"subject", b.subject},
            {"from", b.from_address},
            {"mailbox", b.account},
            {"cause", b.cause},
            {"size", b.size},
            {"date", to_iso8601(b.kept.value_or(b.received))},
            {"received", to_iso8601(b.received)},
            {"message_id", b.message_id},
            {"attempts", b.attempts}};
}

nlohmann::json account_json(const services::AccountView& a) {
    return {{"name", a.name},
            {"url", a.url},
            {"user", a.user},
            {"created", to_iso8601(a.created)},
            {"last_fetch", a.last_fetch ? nlohmann::json(to_iso8601(*a.last_fetch)) : nullptr},
            {"last_error", a.last_error}};
}

nlohmann::json round_json(const services::RoundReport& report) {
    nlohmann::json accounts = nlohmann::json::array();
    for (const auto& a : report.accounts) {
        accounts.push_back(counts_json(
            a.counts, {{"name", a.name}, {"error", a.error ? nlohmann::json(*a.error) : nullptr}}));
    }
    return counts_json(report.totals, {{"accounts", accounts}});
}

std::string outcome_line(const services::ProcessOutcome& o) {
    const std::string mail = "incoming " + std::to_string(o.incoming_id) + ": ";
    switch (o.outcome) {
        case services::MailOutcome::failed:
            return mail + "attempt " + std::to_string(o.attempt) +
                   " failed, to be tried again: " + o.cause;
        case services::MailOutcome::backup:
            return mail + "kept as email backup: " + o.cause;
        case services::MailOutcome::duplicate:
            return mail + "a copy of a mail already in ticket " + std::to_string(o.ticket);
        case services::MailOutcome::new_ticket:
        case services::MailOutcome::appended:
            break;
    }
    return mail +
           (o.outcome == services::MailOutcome::new_ticket ? "new ticket "
                                                           : "appended to ticket ") +
           std::to_string(o.ticket) +
           (o.reused_message_id ? " (a different mail that reuses an earlier Message-ID)" : "");
}

std::string totals_line(const services::RoundCounts& c) {
    std::string line = std::to_string(c.new_tickets + c.appended) + " filed into tickets, " +
                       std::to_string(c.backups) + " kept as email backups";
    if (c.duplicates > 0)
        line += ", " + plural(c.duplicates, "copy", "copies") + " of mail already filed";
    if (c.failed > 0)
        line += ", " + std::to_string(c.failed) + " to be tried again";
    return line;
}

}  // namespace casecrypt::cli
