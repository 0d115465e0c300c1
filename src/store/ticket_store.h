// TicketStore: tickets and their history of mails (in and out) with attachments.
// Writes join the caller's transaction when there is one (store::Transaction), so filing an
// incoming mail commits together with its claim. Not thread-safe (one database connection).
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/error.h"
#include "store/chunked_bytes.h"
#include "store/database.h"

namespace casecrypt::store {

struct TicketRecord {
    long long number = 0;
    std::string subject;
    std::string status;  // open, closed
    std::string customer;
    std::optional<long long> linked_ticket;  // the closed ticket this one follows up
    TimePoint created_at{};
    TimePoint updated_at{};
};

struct AttachmentRecord {
    long long id = 0;
    std::string name;
    std::string content_type;
    long long size = 0;
    std::string content_id;
    bool is_inline = false;
    std::optional<std::string> content;  // only when asked for
    // For add_message: where the bytes are, when `content` is not given (a received mail's
    // attachment, decoded to a scratch file, or a sent mail's attached file); they are stored in
    // chunks, never whole in memory.
    std::filesystem::path file;
};

struct TicketMessageRecord {
    long long id = 0;
    long long ticket = 0;
    std::string direction;  // in, out
    std::optional<long long> incoming_id;
    std::string message_id;  // without <>, for threading replies
    std::string from;
    std::string to_json;  // JSON arrays of "Name <address>"
    std::string cc_json;
    std::string subject;
    TimePoint date{};
    std::optional<std::string> text;
    std::optional<std::string> html;  // sanitised
    bool encrypted = false;
    std::optional<std::string> encryption_json;
    std::optional<std::string> signature_json;
    std::optional<std::string> report_json;  // out: the send report; in: {"notes": [...]}
    TimePoint created_at{};
    // SHA-256 (hex) of what a received mail says (addresses, subject, date, bodies,
    // attachments): with the Message-ID, what tells a second copy of one mail from a different
    // mail that reuses its Message-ID. Empty for sent mail and for mail filed before it existed.
    std::string content_digest;
    std::vector<AttachmentRecord> attachments;
};

// An incoming message filed earlier under some Message-ID.
struct FiledMessage {
    long long id = 0;
    long long ticket = 0;
    std::string content_digest;  // empty when it was filed without one
};

// An internal note in a ticket's history (a workflow's workflowAPI.addNote).
struct TicketNoteRecord {
    long long id = 0;
    long long ticket = 0;
    std::string created_at;
    std::string author;
    std::string text;
};

class TicketStore {
public:
    explicit TicketStore(Database& database) : m_database(database), m_chunks(database) {}

    Result<long long> create(const std::string& subject, const std::string& customer,
                             std::optional<long long> linked_ticket, TimePoint at);
    Result<std::optional<TicketRecord>> get(long long number);
    // Newest first.
    Result<std::vector<TicketRecord>> list();
    // False when there is no such ticket.
    Result<bool> set_status(long long number, const std::string& status, TimePoint at);

    // Adds a message with its attachments (content given) and touches the ticket.
    Result<long long> add_message(const TicketMessageRecord& message);
    // Messages of a ticket, oldest first, attachments without content.
    Result<std::vector<TicketMessageRecord>> messages(long long number);
    Result<std::optional<AttachmentRecord>> attachment(long long id);
    // The tickets with at least one encrypted message (received or sent).
    Result<std::vector<long long>> encrypted_tickets();
    // The ticket a message (by its id) belongs to; nullopt for an unknown id.
    Result<std::optional<long long>> ticket_of_message(long long message_id);
    // The attachment's record (without content) after its bytes went to `sink` a chunk at a
    // time; nullopt (and nothing sent) for an unknown id.
    Result<std::optional<AttachmentRecord>> read_attachment(long long id, const ByteSink& sink);

    // The Message-IDs of a ticket's messages (in and out), oldest first, without empty ones:
    // what a reply's In-Reply-To and References are made from.
    Result<std::vector<std::string>> message_ids(long long number);
    // The ticket of the newest message whose Message-ID is one of these.
    Result<std::optional<long long>> ticket_of_message_ids(const std::vector<std::string>& ids);
    // The incoming messages already filed with this Message-ID, oldest first (the same mail
    // fetched twice, e.g. delivered to two of our addresses; or another mail reusing the id).
    Result<std::vector<FiledMessage>> incoming_with_message_id(const std::string& message_id);

    Result<long long> add_note(const TicketNoteRecord& note);
    // Oldest first.
    Result<std::vector<TicketNoteRecord>> notes(long long ticket);
    // The id of the ticket's newest received message, if any.
    Result<std::optional<long long>> newest_received(long long ticket);

private:
    Database& m_database;
    ChunkedBytes m_chunks;
};

}  // namespace casecrypt::store
