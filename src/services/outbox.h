// Outbox: the outgoing use cases an edge calls. Send a mail (for a ticket or not) and make one
// delivery attempt right away, retry a rejected or failed copy and attempt it, deliver what is
// due, and list the copies. The commit to the outbox comes first, so a copy whose attempt fails
// waits there for the next round (Delivery's backoff). Results are values (send_report.h); no
// store records cross this header. Not thread-safe (one database connection); one per thread.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/error.h"
#include "services/send_report.h"

namespace casecrypt::store {
class AuditLog;
class OutboxStore;
}  // namespace casecrypt::store

namespace casecrypt::services {

class OutgoingMail;
class Delivery;
class Tickets;

// One outbox copy as the edges show it.
struct OutboxView {
    long long id = 0;
    std::string mail_id;
    OutboxState state = OutboxState::queued;
    std::string from;  // the envelope sender
    std::vector<std::string> recipients;
    std::string subject;
    bool encrypted = false;
    int attempts = 0;
    // When the next attempt is due; none for a copy that is sent, failed or rejected (no attempt
    // will come by itself).
    std::optional<TimePoint> next_attempt;
    std::string last_error;
    TimePoint created{};
    std::optional<TimePoint> sent;
    std::optional<SendReport> report;  // as it was decided (none for a report not readable)
};

class Outbox {
public:
    Outbox(OutgoingMail& outgoing, Tickets& tickets, Delivery& delivery, store::OutboxStore& store,
           store::AuditLog& audit, const Clock& clock)
        : m_outgoing(outgoing),
          m_tickets(tickets),
          m_delivery(delivery),
          m_store(store),
          m_audit(audit),
          m_clock(clock) {}

    // Commits the mail to the outbox (for `ticket`: tagged and recorded in its history), then
    // attempts each copy once; the report's `delivery` says how that went. A delivery that
    // could not start (no transport) is not an error: the copies wait, and the report's
    // `delivery_error` says why. Errors as OutgoingMail::send / Tickets::send. A dry run
    // (SendRequest::dry_run) decides only: nothing is queued, recorded or attempted.
    Result<SendReport> send_now(const SendRequest& request,
                                std::optional<long long> ticket = std::nullopt);
    // OutgoingMail::retry, then one attempt of the copy.
    // An administrator's action: audited with `actor`.
    Result<SendReport> retry_now(long long outbox_id, const std::string& actor);
    // Every copy that is due now.
    Result<std::vector<DeliveryOutcome>> deliver_due();
    // Newest first.
    Result<std::vector<OutboxView>> list();

private:
    OutgoingMail& m_outgoing;
    Tickets& m_tickets;
    Delivery& m_delivery;
    store::OutboxStore& m_store;
    store::AuditLog& m_audit;
    const Clock& m_clock;
};

}  // namespace casecrypt::services
