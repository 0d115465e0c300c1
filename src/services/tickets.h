// Tickets: the helpdesk side of mail. Which ticket a mail belongs to (a tag in the subject,
// else a reply to a message of a ticket, else a new ticket; a closed ticket gets a new linked
// one), the history of each ticket (mails in and out with how they were encrypted and signed),
// and the tag our outgoing mail carries. Not thread-safe (one database connection).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/error.h"
#include "services/outgoing_mail.h"
#include "services/properties.h"
#include "store/audit_log.h"
#include "store/database.h"
#include "store/ticket_store.h"

namespace casecrypt::services {

struct TicketView {
    store::TicketRecord ticket;
    std::vector<store::TicketMessageRecord> messages;
};

// Where an incoming mail goes.
struct TicketChoice {
    std::optional<long long> existing;        // append to this ticket
    std::optional<long long> follows_closed;  // or a new ticket linked to this closed one
    std::string reason;                       // "subject tag", "reply to <id>", "new"
};

class Tickets {
public:
    Tickets(store::Database& database, store::TicketStore& store, store::AuditLog& audit,
            Properties& properties, OutgoingMail& outgoing, const Clock& clock)
        : m_database(database),
          m_store(store),
          m_audit(audit),
          m_properties(properties),
          m_outgoing(outgoing),
          m_clock(clock) {}

    Result<std::vector<store::TicketRecord>> list();
    // Errc::not_found for an unknown number.
    Result<TicketView> show(long long number);
    Result<void> set_status(long long number, const std::string& status, const std::string& actor);

    // The ticket number the subject's tag names (mail.ticketname.pattern), if any.
    Result<std::optional<long long>> number_in_subject(const std::string& subject);
    // The subject with the ticket's tag (unchanged when it carries it already). Errc::rejected
    // when the pattern property is one no tag can be written from.
    Result<std::string> tagged_subject(long long number, const std::string& subject);

    // The ticket for a mail with this subject and these In-Reply-To/References ids.
    Result<TicketChoice> choose(const std::string& subject,
                                const std::vector<std::string>& reply_ids);

    // Sends a mail for a ticket (`mail send --ticket`): the subject gets the ticket's tag, and
    // the mail is queued in the outbox and recorded in the ticket's history with its report in
    // one transaction. Errc::not_found for an unknown ticket.
    // The reply threads under the ticket's last message (In-Reply-To, References: RFC 5322
    // section 3.6.4; see reply_threading()).
    Result<SendReport> send(long long number, SendRequest request);

    store::TicketStore& store() { return m_store; }

private:
    Result<long long> record_sent(long long number, const SendRequest& request,
                                  const SendReport& report);
    // In-Reply-To: the ticket's last message; References: the ticket's messages up to it.
    Result<std::optional<ReplyTo>> reply_threading(long long number);

    store::Database& m_database;
    store::TicketStore& m_store;
    store::AuditLog& m_audit;
    Properties& m_properties;
    OutgoingMail& m_outgoing;
    const Clock& m_clock;
};

}  // namespace casecrypt::services
