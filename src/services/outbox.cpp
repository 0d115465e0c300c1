#include "services/outbox.h"

#include "services/delivery.h"
#include "services/outgoing_mail.h"
#include "services/send_report_codec.h"
#include "services/tickets.h"
#include "store/audit_log.h"
#include "store/outbox_store.h"

namespace casecrypt::services {
namespace {

OutboxState state_of(store::OutboxState state) {
    switch (state) {
        case store::OutboxState::queued:
            return OutboxState::queued;
        case store::OutboxState::sending:
            return OutboxState::sending;
        case store::OutboxState::sent:
            return OutboxState::sent;
        case store::OutboxState::failed:
            return OutboxState::failed;
        case store::OutboxState::rejected:
            return OutboxState::rejected;
    }
    return OutboxState::queued;
}

OutboxView view_of(const store::OutboxEntry& e) {
    OutboxView v;
    v.id = e.id;
    v.mail_id = e.mail_id;
    v.state = state_of(e.state);
    v.from = e.envelope_from;
    v.recipients = e.recipients;
    v.subject = e.subject;
    v.encrypted = e.encrypted;
    v.attempts = e.attempts;
    // Only a copy that waits (or is being sent and may wait again) has a next attempt; the
    // column keeps its last value for the others, which no attempt will follow.
    if (v.state == OutboxState::queued || v.state == OutboxState::sending)
        v.next_attempt = e.next_attempt_at;
    v.last_error = e.last_error;
    v.created = e.created_at;
    v.sent = e.sent_at;
    v.report = parse_send_report(e.report);
    return v;
}

}  // namespace

Result<SendReport> Outbox::send_now(const SendRequest& request, std::optional<long long> ticket) {
    auto report = ticket ? m_tickets.send(*ticket, request) : m_outgoing.send(request);
    if (!report || request.dry_run)
        return report;
    // Committed: now one attempt; what fails stays in the outbox for later rounds.
    auto delivered = m_delivery.deliver(report->outbox_ids);
    if (delivered)
        report->delivery = std::move(*delivered);
    else
        report->delivery_error = delivered.error();
    return report;
}

Result<SendReport> Outbox::retry_now(long long outbox_id, const std::string& actor) {
    auto report = m_outgoing.retry(outbox_id);
    if (!report)
        return report;
    if (auto audited = m_audit.record(m_clock.now(), actor, "outbox.retry",
                                      "outbox " + std::to_string(outbox_id));
        !audited)
        return std::unexpected(audited.error());
    auto delivered = m_delivery.deliver({outbox_id});
    if (!delivered)
        return std::unexpected(delivered.error());
    report->delivery = std::move(*delivered);
    return report;
}

Result<std::vector<DeliveryOutcome>> Outbox::deliver_due() {
    return m_delivery.deliver_due();
}

Result<std::vector<OutboxView>> Outbox::list() {
    auto entries = m_store.list();
    if (!entries)
        return std::unexpected(entries.error());
    std::vector<OutboxView> out;
    out.reserve(entries->size());
    for (const auto& e : *entries)
        out.push_back(view_of(e));
    return out;
}

}  // namespace casecrypt::services
