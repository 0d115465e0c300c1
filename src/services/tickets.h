// Tickets: the helpdesk side of mail. Which ticket a mail belongs to (a tag in the subject,
// else a reply to a message of a ticket, else a new ticket; a closed ticket gets a new linked
// one), filing a received mail into it, the history of each ticket (mails in and out with how
// they were encrypted and signed) as service-owned views, and the tag our outgoing mail
// carries. What the store keeps as JSON text is read here: an edge gets typed views only.
// Not thread-safe (one database connection).
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "core/error.h"
#include "services/outgoing_mail.h"
#include "services/properties.h"
#include "services/workflows.h"

namespace casecrypt::store {
class AuditLog;
class Database;
class TicketStore;
}  // namespace casecrypt::store

namespace casecrypt::services {

enum class TicketStatus { open, closed };
std::string to_string(TicketStatus status);  // "open", "closed"

struct TicketSummary {
    long long number = 0;
    std::string subject;
    TicketStatus status = TicketStatus::open;
    std::string customer;
    TimePoint created{};
    TimePoint updated{};
    std::optional<long long> linked_ticket;  // the closed ticket this one follows up
    bool encrypted = false;                  // a mail of it (received or sent) was encrypted
};

enum class MessageDirection { in, out };
std::string to_string(MessageDirection direction);  // "in", "out"

struct AttachmentView {
    long long id = 0;
    std::string name;
    std::string content_type;
    long long size = 0;
    std::string content_id;
    bool is_inline = false;
};

struct EncryptionView {
    std::string cipher;  // as the mail carried it ("aes-256-gcm")
    bool integrity_protected = false;
    bool mixed_parts = false;               // received: encrypted parts beside plain ones
    std::string certificate;                // received: SHA-256 of the identity that opened it
    std::vector<std::string> certificates;  // sent: SHA-256 of each recipient's certificate
    bool received = false;                  // which of the two the fields above describe
};

struct SignatureView {
    std::string signer;  // the signer's address
    std::string signer_subject;
    std::string signer_sha256;
    bool valid = false;
    bool trusted = false;
    bool matches_from = false;
    std::string problem;  // empty when there is none
};

// A sent mail's per-recipient outcome, as it was recorded when it was sent.
struct SentRecipientView {
    std::string address;
    std::string kind;     // to, cc, bcc
    std::string outcome;  // the sentence recorded then
    struct Certificate {
        std::string fingerprint_sha256;
        std::string source;
        std::string serial;
        std::string not_after;
    };
    std::optional<Certificate> certificate;
};

struct MessageView {
    long long id = 0;
    MessageDirection direction = MessageDirection::in;
    std::string message_id;  // without <>
    TimePoint date{};
    std::string from;
    // "Name <address>" or "address"; none when the stored list can no longer be read.
    std::optional<std::vector<std::string>> to, cc;
    std::string subject;
    std::optional<std::string> text;
    std::optional<std::string> html;  // sanitised
    std::vector<AttachmentView> attachments;
    std::optional<EncryptionView> encryption;               // none: not encrypted
    std::optional<SignatureView> signature;                 // none: not signed
    std::optional<std::vector<SentRecipientView>> sent_to;  // sent mail: per recipient
    std::vector<std::string> notes;
};

// An internal note on a ticket (a workflow's workflowAPI.addNote): never sent to anyone.
struct TicketNoteView {
    long long id = 0;
    TimePoint at{};
    std::string author;  // "workflow:<name>", an engineer's login, "cli:<user>"
    std::string text;
};

struct TicketView {
    TicketSummary ticket;
    std::vector<MessageView> messages;
    std::vector<TicketNoteView> notes;  // oldest first
};

// Where an incoming mail goes.
struct TicketChoice {
    std::optional<long long> existing;        // append to this ticket
    std::optional<long long> follows_closed;  // or a new ticket linked to this closed one
    std::string reason;                       // "subject tag", "reply to <id>", "new"
};

// A received mail, read and decrypted, to be filed (Tickets::file_incoming).
struct IncomingAttachment {
    std::string name;
    std::string content_type;
    long long size = 0;
    std::string content_id;
    bool is_inline = false;
    std::filesystem::path file;  // the decoded bytes
};
struct IncomingMessage {
    long long incoming_id = 0;
    std::string message_id;
    std::string in_reply_to;
    std::vector<std::string> references;
    std::string from;      // display form, may be empty
    std::string customer;  // the sender's address, for a new ticket
    std::vector<std::string> to, cc;
    std::string subject;
    TimePoint date{};
    std::optional<std::string> text;
    std::optional<std::string> html;  // sanitised
    std::string content_digest;
    std::optional<EncryptionView> encryption;
    std::optional<SignatureView> signature;
    std::vector<IncomingAttachment> attachments;
    // A machine's mail: Auto-Submitted other than "no" (RFC 3834) or Precedence bulk / junk /
    // list / auto_reply, or sent from one of our own addresses. Fires no workflow.
    bool automatic = false;
};

enum class FilingKind { new_ticket, appended, duplicate };
std::string to_string(FilingKind kind);  // "new ticket", "appended", "duplicate"

struct Filing {
    FilingKind kind = FilingKind::new_ticket;
    long long ticket = 0;
    long long ticket_message = 0;    // 0 for a duplicate
    bool reused_message_id = false;  // a different mail with an earlier mail's Message-ID
    std::string reason;              // why this ticket
};

// An attachment's bytes written out (`ticket attachment`).
struct SavedAttachment {
    long long id = 0;
    std::string name;
    std::string content_type;  // as the mail declared it (not checked against the bytes)
    long long size = 0;
};

class Tickets {
public:
    Tickets(store::Database& database, store::TicketStore& store, store::AuditLog& audit,
            Properties& properties, OutgoingMail& outgoing, Workflows& workflows,
            const Clock& clock)
        : m_database(database),
          m_store(store),
          m_audit(audit),
          m_properties(properties),
          m_outgoing(outgoing),
          m_workflows(workflows),
          m_clock(clock) {}

    // Newest first.
    Result<std::vector<TicketSummary>> list();
    // Errc::not_found for an unknown number.
    Result<TicketView> show(long long number);
    // One message of any ticket by its id (the web's mail view), with the ticket's number.
    // Errc::not_found for an unknown id.
    Result<std::pair<long long, MessageView>> message(long long id);
    // The sender of a reply in the ticket: the first To address of its newest received mail
    // (the address of ours the customer wrote to). Errc::rejected when it has no received mail
    // with one.
    Result<std::string> reply_sender(long long number);
    // Audited as ticket.open / ticket.closed. A real change (open -> closed, closed -> open)
    // records ticket-closed / ticket-reopened for the workflows and runs them after the commit;
    // setting the status a ticket has already is no change and fires nothing.
    Result<void> set_status(long long number, TicketStatus status, const std::string& actor);
    // An internal note in the ticket's history (UTF-8, 1..64 KiB). Errc::not_found for an
    // unknown ticket.
    Result<TicketNoteView> add_note(long long number, const std::string& text,
                                    const std::string& author);
    // Writes an attachment's bytes to `out` (mode 0600, atomically). Errc::not_found for an
    // unknown id.
    Result<SavedAttachment> save_attachment(long long id, const std::filesystem::path& out);

    // The ticket number the subject's tag names (mail.ticketname.pattern), if any.
    Result<std::optional<long long>> number_in_subject(const std::string& subject);
    // The subject with the ticket's tag (unchanged when it carries it already). Errc::rejected
    // when the pattern property is one no tag can be written from.
    Result<std::string> tagged_subject(long long number, const std::string& subject);

    // The ticket for a mail with this subject and these In-Reply-To/References ids.
    Result<TicketChoice> choose(const std::string& subject,
                                const std::vector<std::string>& reply_ids);

    // Files a received mail: a second copy of a mail already filed (same Message-ID, same
    // content) is recognised and not filed again; otherwise it is appended to its ticket or
    // opens a new one. Joins the caller's transaction (the claim of the incoming mail).
    Result<Filing> file_incoming(const IncomingMessage& message);

    // Sends a mail for a ticket (`mail send --ticket`): the subject gets the ticket's tag, and
    // the mail is queued in the outbox and recorded in the ticket's history with its report in
    // one transaction. Errc::not_found for an unknown ticket.
    // The reply threads under the ticket's last message (In-Reply-To, References: RFC 5322
    // section 3.6.4; see reply_threading()).
    Result<SendReport> send(long long number, SendRequest request);

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
    Workflows& m_workflows;
    const Clock& m_clock;
};

}  // namespace casecrypt::services
