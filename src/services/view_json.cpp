#include "services/view_json.h"

#include "core/iso_time.h"

namespace casecrypt::services {
namespace {

nlohmann::json optional_text(const std::optional<std::string>& text) {
    return text ? nlohmann::json(*text) : nlohmann::json(nullptr);
}

nlohmann::json string_list(const std::optional<std::vector<std::string>>& list) {
    if (!list)
        return nullptr;  // what the store kept can no longer be read
    return *list;
}

nlohmann::json encryption_json(const EncryptionView& e) {
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

nlohmann::json signature_json(const SignatureView& s) {
    return {{"signer", s.signer},
            {"signer_subject", s.signer_subject},
            {"signer_sha256", s.signer_sha256},
            {"valid", s.valid},
            {"trusted", s.trusted},
            {"matches_from", s.matches_from},
            {"problem", s.problem}};
}

nlohmann::json sent_to_json(const std::vector<SentRecipientView>& recipients) {
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

nlohmann::json counts_json(const RoundCounts& c, nlohmann::json out) {
    out["fetched"] = c.fetched;
    out["new_tickets"] = c.new_tickets;
    out["appended"] = c.appended;
    out["backups"] = c.backups;
    out["duplicates"] = c.duplicates;
    out["failed"] = c.failed;
    return out;
}

nlohmann::json optional_time(const std::optional<TimePoint>& t) {
    return t ? nlohmann::json(to_iso8601(*t)) : nlohmann::json(nullptr);
}

}  // namespace

nlohmann::json message_json(const MessageView& m) {
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

nlohmann::json certificate_json(const CertificateView& c) {
    return nlohmann::json{
        {"id", c.id},
        {"kind", to_string(c.kind)},
        {"addresses", c.addresses},
        {"subject", c.subject},
        {"issuer", c.issuer},
        {"serial", c.serial},
        {"not_before", to_iso8601(c.not_before)},
        {"not_after", to_iso8601(c.not_after)},
        {"fingerprint_sha256", c.fingerprint_sha256},
        {"key", c.key_description},
        {"source", to_string(c.source)},
        {"status", to_string(c.status)},
        {"has_private_key", c.has_private_key},
        {"created_at", to_iso8601(c.created_at)},
        {"created_by", c.created_by},
    };
}

nlohmann::json certificate_details_json(const CertificateDetails& details) {
    auto object = certificate_json(details.certificate);
    object["chain"] = nlohmann::json::array();
    for (const auto& c : details.chain) {
        object["chain"].push_back({{"subject", c.subject},
                                   {"issuer", c.issuer},
                                   {"serial", c.serial},
                                   {"fingerprint_sha256", c.fingerprint_sha256}});
    }
    return object;
}

nlohmann::json ticket_json(const TicketSummary& t) {
    return {{"number", t.number},
            {"subject", t.subject},
            {"status", to_string(t.status)},
            {"customer", t.customer},
            {"created", to_iso8601(t.created)},
            {"updated", to_iso8601(t.updated)},
            {"linked_ticket", t.linked_ticket ? nlohmann::json(*t.linked_ticket) : nullptr},
            {"encrypted", t.encrypted}};
}

nlohmann::json ticket_json(const TicketView& view) {
    nlohmann::json out = ticket_json(view.ticket);
    out["messages"] = nlohmann::json::array();
    for (const auto& m : view.messages)
        out["messages"].push_back(message_json(m));
    out["notes"] = nlohmann::json::array();
    for (const auto& n : view.notes) {
        out["notes"].push_back(
            {{"id", n.id}, {"at", to_iso8601(n.at)}, {"author", n.author}, {"text", n.text}});
    }
    return out;
}

nlohmann::json backup_json(const BackupView& b) {
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

nlohmann::json account_json(const AccountView& a) {
    return {{"name", a.name},
            {"url", a.url},
            {"user", a.user},
            {"created", to_iso8601(a.created)},
            {"last_fetch", a.last_fetch ? nlohmann::json(to_iso8601(*a.last_fetch)) : nullptr},
            {"last_error", a.last_error}};
}

nlohmann::json round_json(const RoundReport& report) {
    nlohmann::json accounts = nlohmann::json::array();
    for (const auto& a : report.accounts) {
        accounts.push_back(counts_json(
            a.counts, {{"name", a.name}, {"error", a.error ? nlohmann::json(*a.error) : nullptr}}));
    }
    return counts_json(report.totals, {{"accounts", accounts}});
}

nlohmann::json report_json(const SendReport& r) {
    nlohmann::json recipients = nlohmann::json::array();
    for (const auto& rec : r.recipients) {
        nlohmann::json certificate = nullptr;
        if (rec.certificate) {
            certificate = {{"fingerprint_sha256", rec.certificate->fingerprint_sha256},
                           {"source", to_string(rec.certificate->source)},
                           {"serial", rec.certificate->serial},
                           {"not_after", to_iso8601(rec.certificate->not_after)}};
        }
        recipients.push_back({{"address", rec.address},
                              {"kind", to_string(rec.kind)},
                              {"outcome", to_string(rec.outcome)},
                              {"certificate", certificate}});
    }
    return {{"mail_id", r.mail_id},   {"encrypted", r.encrypted}, {"rejected", r.rejected()},
            {"decision", r.sentence}, {"recipients", recipients}, {"outbox_ids", r.outbox_ids}};
}

nlohmann::json outbox_json(const OutboxView& e) {
    return {{"id", e.id},
            {"mail_id", e.mail_id},
            {"state", to_string(e.state)},
            {"from", e.from},
            {"recipients", e.recipients},
            {"subject", e.subject},
            {"encrypted", e.encrypted},
            {"attempts", e.attempts},
            {"next_attempt", optional_time(e.next_attempt)},
            {"last_error", e.last_error},
            {"created", to_iso8601(e.created)},
            {"sent", optional_time(e.sent)},
            {"report", e.report ? report_json(*e.report) : nlohmann::json(nullptr)}};
}

nlohmann::json property_json(const PropertyView& r) {
    return {{"module", r.module},         {"name", r.name}, {"value", r.value},
            {"default", r.default_value}, {"type", r.type}, {"description", r.description},
            {"is_default", r.is_default}};
}

nlohmann::json recipient_certificate_json(const RecipientCertificate& r) {
    nlohmann::json stored = nlohmann::json::array();
    for (const auto& c : r.store_certificates)
        stored.push_back(certificate_json(c));
    return {{"address", r.address},
            {"source", r.found ? nlohmann::json(to_string(r.found->from)) : nullptr},
            {"certificate", r.found ? certificate_json(r.found->certificate) : nullptr},
            {"reason", r.found ? nlohmann::json(nullptr) : nlohmann::json(r.reason)},
            {"store_certificates", stored}};
}

nlohmann::json page_customization_json(const PageCustomizationView& v) {
    return {{"type", v.type},
            {"name", v.name},
            {"value", v.value},
            {"value_type", v.value_type},
            {"default", v.default_value},
            {"description", v.description},
            {"is_default", v.is_default}};
}

nlohmann::json user_json(const UserView& u) {
    return {{"login", u.login},
            {"role", to_string(u.role)},
            {"must_change_password", u.must_change_password},
            {"created", to_iso8601(u.created)},
            {"created_by", u.created_by},
            {"last_login", optional_time(u.last_login)}};
}

nlohmann::json session_json(const SessionView& s) {
    return {{"login", s.login},
            {"role", to_string(s.role)},
            {"must_change_password", s.must_change_password},
            {"csrf_token", s.csrf_token},
            {"expires", to_iso8601(s.expires)}};
}

nlohmann::json audit_json(const AuditEntryView& e) {
    return {
        {"id", e.id}, {"at", e.at}, {"actor", e.actor}, {"action", e.action}, {"detail", e.detail}};
}

nlohmann::json workflow_run_json(const WorkflowRunView& r) {
    nlohmann::json reports = nlohmann::json::array();
    for (const auto& report : r.reports)
        reports.push_back(report_json(report));
    return {{"id", r.id},
            {"workflow", r.workflow},
            {"event", to_string(r.event)},
            {"ticket", r.ticket ? nlohmann::json(*r.ticket) : nlohmann::json(nullptr)},
            {"started", to_iso8601(r.started)},
            {"finished", r.finished ? nlohmann::json(to_iso8601(*r.finished)) : nlohmann::json()},
            {"outcome", to_string(r.outcome)},
            {"error", r.error.empty() ? nlohmann::json(nullptr) : nlohmann::json(r.error)},
            {"line", r.line ? nlohmann::json(*r.line) : nlohmann::json(nullptr)},
            {"log", r.log},
            {"mails", r.mails},
            {"reports", reports},
            {"dry_run", r.dry_run},
            {"actor", r.actor}};
}

nlohmann::json workflow_json(const WorkflowView& w) {
    return {{"id", w.id},
            {"name", w.name},
            {"event", to_string(w.event)},
            {"every_minutes",
             w.every_minutes ? nlohmann::json(*w.every_minutes) : nlohmann::json(nullptr)},
            {"enabled", w.enabled},
            {"script", w.script},
            {"created", to_iso8601(w.created)},
            {"updated", to_iso8601(w.updated)},
            {"updated_by", w.updated_by},
            {"next_run", optional_time(w.next_run)},
            {"last_run", w.last_run ? workflow_run_json(*w.last_run) : nlohmann::json(nullptr)}};
}

nlohmann::json script_problem_json(const ScriptProblem& p) {
    return {{"error", p.message},
            {"line", p.line ? nlohmann::json(*p.line) : nlohmann::json(nullptr)}};
}

}  // namespace casecrypt::services
