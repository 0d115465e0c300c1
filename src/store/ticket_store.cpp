#include "store/ticket_store.h"

#include <soci/soci.h>

#include "core/base64.h"
#include "core/iso_time.h"
#include "store/guarded.h"

namespace casecrypt::store {
namespace {

TimePoint time_of(const std::string& text) {
    return from_iso8601(text).value_or(TimePoint{});
}

struct TicketRow {
    TicketRecord t;
    long long linked = 0;
    std::string created, updated;
    soci::indicator linked_i = soci::i_null;

    void bind(soci::statement& st) {
        st.exchange(soci::into(t.number));
        st.exchange(soci::into(t.subject));
        st.exchange(soci::into(t.status));
        st.exchange(soci::into(t.customer));
        st.exchange(soci::into(linked, linked_i));
        st.exchange(soci::into(created));
        st.exchange(soci::into(updated));
    }
    TicketRecord record() const {
        TicketRecord out = t;
        if (linked_i == soci::i_ok)
            out.linked_ticket = linked;
        out.created_at = time_of(created);
        out.updated_at = time_of(updated);
        return out;
    }
};

constexpr const char* kTicketColumns =
    "SELECT id, subject, status, customer, linked_ticket, created_at, updated_at FROM tickets";

std::optional<std::string> optional_of(const std::string& value, soci::indicator i) {
    return i == soci::i_ok ? std::optional<std::string>(value) : std::nullopt;
}

}  // namespace

Result<long long> TicketStore::create(const std::string& subject, const std::string& customer,
                                      std::optional<long long> linked_ticket, TimePoint at) {
    return guarded("creating a ticket", [&]() -> Result<long long> {
        const std::string when = to_iso8601(at);
        long long linked = linked_ticket.value_or(0);
        soci::indicator linked_i = linked_ticket ? soci::i_ok : soci::i_null;
        long long number = 0;
        m_database.session() << "INSERT INTO tickets (subject, status, customer, linked_ticket, "
                                "created_at, updated_at) VALUES (:s, 'open', :c, :l, :a, :u) "
                                "RETURNING id",
            soci::use(subject), soci::use(customer), soci::use(linked, linked_i), soci::use(when),
            soci::use(when), soci::into(number);
        return number;
    });
}

Result<std::optional<TicketRecord>> TicketStore::get(long long number) {
    return guarded("reading a ticket", [&]() -> Result<std::optional<TicketRecord>> {
        TicketRow row;
        soci::statement st(m_database.session());
        row.bind(st);
        st.exchange(soci::use(number));
        st.alloc();
        st.prepare(std::string(kTicketColumns) + " WHERE id = :n");
        st.define_and_bind();
        st.execute();
        if (!st.fetch())
            return std::optional<TicketRecord>();
        return std::optional<TicketRecord>(row.record());
    });
}

Result<std::optional<long long>> TicketStore::ticket_of_message(long long message_id) {
    return guarded("reading a ticket message", [&]() -> Result<std::optional<long long>> {
        long long ticket = 0;
        soci::indicator found = soci::i_null;
        m_database.session() << "SELECT ticket_id FROM ticket_messages WHERE id = :id",
            soci::use(message_id), soci::into(ticket, found);
        if (!m_database.session().got_data() || found != soci::i_ok)
            return std::optional<long long>();
        return std::optional<long long>(ticket);
    });
}

Result<std::vector<long long>> TicketStore::encrypted_tickets() {
    return guarded(
        "reading which tickets hold encrypted mail", [&]() -> Result<std::vector<long long>> {
            std::vector<long long> out;
            long long ticket = 0;
            soci::statement st =
                (m_database.session().prepare << "SELECT DISTINCT ticket_id FROM ticket_messages "
                                                 "WHERE encrypted = 1",
                 soci::into(ticket));
            st.execute();
            while (st.fetch())
                out.push_back(ticket);
            return out;
        });
}

Result<std::vector<TicketRecord>> TicketStore::list() {
    return guarded("reading tickets", [&]() -> Result<std::vector<TicketRecord>> {
        std::vector<TicketRecord> out;
        TicketRow row;
        soci::statement st(m_database.session());
        row.bind(st);
        st.alloc();
        st.prepare(std::string(kTicketColumns) + " ORDER BY id DESC");
        st.define_and_bind();
        st.execute();
        while (st.fetch())
            out.push_back(row.record());
        return out;
    });
}

Result<bool> TicketStore::set_status(long long number, const std::string& status, TimePoint at) {
    return guarded("updating a ticket", [&]() -> Result<bool> {
        const std::string when = to_iso8601(at);
        soci::statement st =
            (m_database.session().prepare
                 << "UPDATE tickets SET status = :s, updated_at = :u WHERE id = :n",
             soci::use(status), soci::use(when), soci::use(number));
        st.execute(true);
        return st.get_affected_rows() > 0;
    });
}

Result<long long> TicketStore::add_message(const TicketMessageRecord& m) {
    return guarded("adding a message to a ticket", [&]() -> Result<long long> {
        soci::session& sql = m_database.session();
        Transaction transaction(m_database);
        long long incoming = m.incoming_id.value_or(0);
        soci::indicator incoming_i = m.incoming_id ? soci::i_ok : soci::i_null;
        auto text_of = [](const std::optional<std::string>& v) { return v.value_or(""); };
        auto ind_of = [](const std::optional<std::string>& v) {
            return v ? soci::i_ok : soci::i_null;
        };
        std::string text = text_of(m.text), html = text_of(m.html),
                    encryption = text_of(m.encryption_json), signature = text_of(m.signature_json),
                    report = text_of(m.report_json);
        soci::indicator text_i = ind_of(m.text), html_i = ind_of(m.html),
                        encryption_i = ind_of(m.encryption_json),
                        signature_i = ind_of(m.signature_json), report_i = ind_of(m.report_json);
        const std::string date = to_iso8601(m.date);
        const std::string created = to_iso8601(m.created_at);
        const int encrypted = m.encrypted ? 1 : 0;
        soci::indicator digest_i = m.content_digest.empty() ? soci::i_null : soci::i_ok;
        long long id = 0;
        sql << "INSERT INTO ticket_messages (ticket_id, direction, incoming_id, message_id, "
               "from_address, to_addresses, cc_addresses, subject, sent_at, body_text, body_html, "
               "encrypted, encryption, signature, report, created_at, content_digest) VALUES (:t, "
               ":d, :i, :m, :f, :to, :cc, :s, :date, :text, :html, :e, :enc, :sig, :rep, :c, :dg) "
               "RETURNING id",
            soci::use(m.ticket), soci::use(m.direction), soci::use(incoming, incoming_i),
            soci::use(m.message_id), soci::use(m.from), soci::use(m.to_json), soci::use(m.cc_json),
            soci::use(m.subject), soci::use(date), soci::use(text, text_i), soci::use(html, html_i),
            soci::use(encrypted), soci::use(encryption, encryption_i),
            soci::use(signature, signature_i), soci::use(report, report_i), soci::use(created),
            soci::use(m.content_digest, digest_i), soci::into(id);
        int position = 0;
        for (const AttachmentRecord& a : m.attachments) {
            // Bytes from a file go into chunks; content_base64 stays empty then.
            const std::string content = a.content ? base64_encode(*a.content) : std::string();
            const int is_inline = a.is_inline ? 1 : 0;
            sql << "INSERT INTO ticket_attachments (message_id, position, name, content_type, "
                   "size, content_id, is_inline, content_base64) VALUES (:m, :p, :n, :t, :s, :c, "
                   ":i, :b)",
                soci::use(id), soci::use(position), soci::use(a.name), soci::use(a.content_type),
                soci::use(a.size), soci::use(a.content_id), soci::use(is_inline),
                soci::use(content);
            if (!a.content && !a.file.empty()) {
                long long attachment = 0;
                sql << "SELECT id FROM ticket_attachments WHERE message_id = :m AND position = :p",
                    soci::use(id), soci::use(position), soci::into(attachment);
                auto written = m_chunks.write_file(ChunkOwner::attachment, attachment, a.file);
                if (!written)
                    return std::unexpected(written.error());
            }
            ++position;
        }
        sql << "UPDATE tickets SET updated_at = :u WHERE id = :t", soci::use(created),
            soci::use(m.ticket);
        transaction.commit();
        return id;
    });
}

Result<std::vector<TicketMessageRecord>> TicketStore::messages(long long number) {
    return guarded(
        "reading a ticket's messages", [&]() -> Result<std::vector<TicketMessageRecord>> {
            soci::session& sql = m_database.session();
            std::vector<TicketMessageRecord> out;
            TicketMessageRecord m;
            long long incoming = 0;
            std::string date, created, text, html, encryption, signature, report;
            int encrypted = 0;
            soci::indicator incoming_i = soci::i_null, text_i = soci::i_null, html_i = soci::i_null,
                            encryption_i = soci::i_null, signature_i = soci::i_null,
                            report_i = soci::i_null;
            soci::statement st =
                (sql.prepare << "SELECT id, ticket_id, direction, incoming_id, message_id, "
                                "from_address, to_addresses, cc_addresses, subject, sent_at, "
                                "body_text, body_html, encrypted, encryption, signature, report, "
                                "created_at FROM ticket_messages WHERE ticket_id = :t ORDER BY id",
                 soci::use(number), soci::into(m.id), soci::into(m.ticket), soci::into(m.direction),
                 soci::into(incoming, incoming_i), soci::into(m.message_id), soci::into(m.from),
                 soci::into(m.to_json), soci::into(m.cc_json), soci::into(m.subject),
                 soci::into(date), soci::into(text, text_i), soci::into(html, html_i),
                 soci::into(encrypted), soci::into(encryption, encryption_i),
                 soci::into(signature, signature_i), soci::into(report, report_i),
                 soci::into(created));
            st.execute();
            while (st.fetch()) {
                TicketMessageRecord record = m;
                if (incoming_i == soci::i_ok)
                    record.incoming_id = incoming;
                record.date = time_of(date);
                record.created_at = time_of(created);
                record.text = optional_of(text, text_i);
                record.html = optional_of(html, html_i);
                record.encrypted = encrypted != 0;
                record.encryption_json = optional_of(encryption, encryption_i);
                record.signature_json = optional_of(signature, signature_i);
                record.report_json = optional_of(report, report_i);
                out.push_back(std::move(record));
            }
            for (TicketMessageRecord& record : out) {
                AttachmentRecord a;
                int is_inline = 0;
                soci::statement at =
                    (sql.prepare
                         << "SELECT id, name, content_type, size, content_id, is_inline FROM "
                            "ticket_attachments WHERE message_id = :m ORDER BY position",
                     soci::use(record.id), soci::into(a.id), soci::into(a.name),
                     soci::into(a.content_type), soci::into(a.size), soci::into(a.content_id),
                     soci::into(is_inline));
                at.execute();
                while (at.fetch()) {
                    AttachmentRecord copy = a;
                    copy.is_inline = is_inline != 0;
                    record.attachments.push_back(std::move(copy));
                }
            }
            return out;
        });
}

Result<std::optional<AttachmentRecord>> TicketStore::attachment(long long id) {
    return guarded("reading an attachment", [&]() -> Result<std::optional<AttachmentRecord>> {
        AttachmentRecord a;
        int is_inline = 0;
        std::string content;
        m_database.session() << "SELECT id, name, content_type, size, content_id, is_inline, "
                                "content_base64 FROM ticket_attachments WHERE id = :id",
            soci::use(id), soci::into(a.id), soci::into(a.name), soci::into(a.content_type),
            soci::into(a.size), soci::into(a.content_id), soci::into(is_inline),
            soci::into(content);
        if (!m_database.session().got_data())
            return std::optional<AttachmentRecord>();
        a.is_inline = is_inline != 0;
        auto decoded = base64_decode(content);
        if (!decoded) {
            return fail(Errc::internal,
                        "attachment " + std::to_string(id) + " is damaged in the database");
        }
        a.content = std::move(*decoded);
        return std::optional<AttachmentRecord>(std::move(a));
    });
}

Result<std::vector<std::string>> TicketStore::message_ids(long long number) {
    return guarded("reading a ticket's Message-IDs", [&]() -> Result<std::vector<std::string>> {
        std::vector<std::string> out;
        std::string id;
        soci::statement st =
            (m_database.session().prepare << "SELECT message_id FROM ticket_messages WHERE "
                                             "ticket_id = :t AND message_id <> '' ORDER BY id",
             soci::use(number), soci::into(id));
        st.execute();
        while (st.fetch())
            out.push_back(id);
        return out;
    });
}

Result<std::optional<AttachmentRecord>> TicketStore::read_attachment(long long id,
                                                                     const ByteSink& sink) {
    auto record =
        guarded(
            "reading an attachment", [&]() -> Result<std::optional<AttachmentRecord>> {
                AttachmentRecord a;
                int is_inline = 0;
                m_database.session()
                    << "SELECT id, name, content_type, size, content_id, is_inline FROM "
                       "ticket_attachments WHERE id = :id",
                    soci::use(id), soci::into(a.id), soci::into(a.name), soci::into(a.content_type),
                    soci::into(a.size), soci::into(a.content_id), soci::into(is_inline);
                if (!m_database.session().got_data())
                    return std::optional<AttachmentRecord>();
                a.is_inline = is_inline != 0;
                return std::optional<AttachmentRecord>(std::move(a));
            });
    if (!record || !*record)
        return record;
    auto chunked = m_chunks.read(ChunkOwner::attachment, id, sink);
    if (!chunked)
        return std::unexpected(chunked.error());
    if (!*chunked) {
        // Stored whole (from before chunks existed, or given as content).
        auto whole = attachment(id);
        if (!whole)
            return std::unexpected(whole.error());
        if (*whole && (*whole)->content) {
            if (auto sent = sink(*(*whole)->content); !sent)
                return std::unexpected(sent.error());
        }
    }
    return record;
}

Result<std::optional<long long>> TicketStore::ticket_of_message_ids(
    const std::vector<std::string>& ids) {
    return guarded("finding a ticket by Message-ID", [&]() -> Result<std::optional<long long>> {
        std::optional<long long> best;
        long long best_message = 0;
        for (const std::string& wanted : ids) {
            if (wanted.empty())
                continue;
            long long ticket = 0, message = 0;
            m_database.session() << "SELECT ticket_id, id FROM ticket_messages WHERE message_id = "
                                    ":m ORDER BY id DESC LIMIT 1",
                soci::use(wanted), soci::into(ticket), soci::into(message);
            if (m_database.session().got_data() && message > best_message) {
                best = ticket;
                best_message = message;
            }
        }
        return best;
    });
}

Result<std::vector<FiledMessage>> TicketStore::incoming_with_message_id(
    const std::string& message_id) {
    return guarded("finding a message by Message-ID", [&]() -> Result<std::vector<FiledMessage>> {
        std::vector<FiledMessage> out;
        FiledMessage row;
        std::string digest;
        soci::indicator digest_i = soci::i_null;
        soci::statement st = (m_database.session().prepare
                                  << "SELECT id, ticket_id, content_digest FROM ticket_messages "
                                     "WHERE message_id = :m AND direction = 'in' ORDER BY id",
                              soci::use(message_id), soci::into(row.id), soci::into(row.ticket),
                              soci::into(digest, digest_i));
        st.execute();
        while (st.fetch()) {
            row.content_digest = digest_i == soci::i_ok ? digest : "";
            out.push_back(row);
        }
        return out;
    });
}

Result<long long> TicketStore::add_note(const TicketNoteRecord& n) {
    return guarded("adding a ticket note", [&]() -> Result<long long> {
        long long id = 0;
        m_database.session() << "INSERT INTO ticket_notes (ticket_id, created_at, author, text) "
                                "VALUES (:t, :c, :a, :x) RETURNING id",
            soci::use(n.ticket), soci::use(n.created_at), soci::use(n.author), soci::use(n.text),
            soci::into(id);
        return id;
    });
}

Result<std::vector<TicketNoteRecord>> TicketStore::notes(long long ticket) {
    return guarded("reading ticket notes", [&]() -> Result<std::vector<TicketNoteRecord>> {
        std::vector<TicketNoteRecord> out;
        TicketNoteRecord n;
        soci::statement st =
            (m_database.session().prepare
                 << "SELECT id, ticket_id, created_at, author, text FROM ticket_notes WHERE "
                    "ticket_id = :t ORDER BY id",
             soci::use(ticket), soci::into(n.id), soci::into(n.ticket), soci::into(n.created_at),
             soci::into(n.author), soci::into(n.text));
        st.execute();
        while (st.fetch())
            out.push_back(n);
        return out;
    });
}

Result<std::optional<long long>> TicketStore::newest_received(long long ticket) {
    return guarded("reading a ticket", [&]() -> Result<std::optional<long long>> {
        long long id = 0;
        soci::indicator id_i = soci::i_null;
        m_database.session() << "SELECT MAX(id) FROM ticket_messages WHERE ticket_id = :t AND "
                                "direction = 'in'",
            soci::use(ticket), soci::into(id, id_i);
        if (!m_database.session().got_data() || id_i != soci::i_ok)
            return std::optional<long long>();
        return std::optional<long long>(id);
    });
}

}  // namespace casecrypt::store
