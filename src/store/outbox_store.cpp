#include "store/outbox_store.h"

#include <soci/soci.h>

#include <fstream>

#include "core/base64.h"
#include "core/iso_time.h"
#include "core/text.h"
#include "store/guarded.h"

namespace casecrypt::store {
namespace {

constexpr const char* kColumns =
    "id, mail_id, state, envelope_from, recipients, subject, encrypted, report, attempts, "
    "next_attempt_at, lease_until, last_error, created_at, expires_at, sent_at";

OutboxState state_from(const std::string& text) {
    if (text == "sending")
        return OutboxState::sending;
    if (text == "sent")
        return OutboxState::sent;
    if (text == "failed")
        return OutboxState::failed;
    if (text == "rejected")
        return OutboxState::rejected;
    return OutboxState::queued;
}

// base64 turns 3 bytes into 4 characters: text chunks of this size decode on their own.
constexpr std::size_t kTextChunk = 4 * 256 * 1024;

TimePoint time_of(const std::string& text) {
    return from_iso8601(text).value_or(TimePoint{});
}

// Reads the listing columns of the current row.
struct Row {
    OutboxEntry e;
    std::string state, recipients, next, lease, error, created, expires, sent;
    int encrypted = 0;
    soci::indicator lease_i = soci::i_null, error_i = soci::i_null, sent_i = soci::i_null;

    void bind(soci::statement& st) {
        st.exchange(soci::into(e.id));
        st.exchange(soci::into(e.mail_id));
        st.exchange(soci::into(state));
        st.exchange(soci::into(e.envelope_from));
        st.exchange(soci::into(recipients));
        st.exchange(soci::into(e.subject));
        st.exchange(soci::into(encrypted));
        st.exchange(soci::into(e.report));
        st.exchange(soci::into(e.attempts));
        st.exchange(soci::into(next));
        st.exchange(soci::into(lease, lease_i));
        st.exchange(soci::into(error, error_i));
        st.exchange(soci::into(created));
        st.exchange(soci::into(expires));
        st.exchange(soci::into(sent, sent_i));
    }
    OutboxEntry entry() const {
        OutboxEntry out = e;
        out.state = state_from(state);
        out.recipients = split_list(recipients);
        out.encrypted = encrypted != 0;
        out.next_attempt_at = time_of(next);
        if (lease_i == soci::i_ok)
            out.lease_until = time_of(lease);
        out.last_error = error_i == soci::i_ok ? error : "";
        out.created_at = time_of(created);
        out.expires_at = time_of(expires);
        if (sent_i == soci::i_ok)
            out.sent_at = time_of(sent);
        return out;
    }
};

}  // namespace

std::string to_string(OutboxState state) {
    switch (state) {
        case OutboxState::queued:
            return "queued";
        case OutboxState::sending:
            return "sending";
        case OutboxState::sent:
            return "sent";
        case OutboxState::failed:
            return "failed";
        case OutboxState::rejected:
            return "rejected";
    }
    return "queued";
}

Result<std::vector<long long>> OutboxStore::add(const std::vector<OutboxEntry>& copies) {
    return guarded("adding to the outbox", [&]() -> Result<std::vector<long long>> {
        soci::session& sql = m_database.session();
        Transaction transaction(m_database);
        std::vector<long long> ids;
        for (const OutboxEntry& c : copies) {
            const std::string state = to_string(c.state);
            const std::string recipients = join(c.recipients, ",");
            const int encrypted = c.encrypted ? 1 : 0;
            const std::string next = to_iso8601(c.next_attempt_at);
            const std::string created = to_iso8601(c.created_at);
            const std::string expires = to_iso8601(c.expires_at);
            std::string error = c.last_error;
            long long id = 0;
            // payload_base64 and plain_base64 stay NULL: the bytes go into chunks.
            sql << "INSERT INTO outbox (mail_id, state, envelope_from, recipients, subject, "
                   "encrypted, report, attempts, next_attempt_at, last_error, created_at, "
                   "expires_at) VALUES (:m, :s, :f, :r, :subj, :e, :rep, 0, :n, :err, :c, :x) "
                   "RETURNING id",
                soci::use(c.mail_id), soci::use(state), soci::use(c.envelope_from),
                soci::use(recipients), soci::use(c.subject), soci::use(encrypted),
                soci::use(c.report), soci::use(next), soci::use(error), soci::use(created),
                soci::use(expires), soci::into(id);
            if (auto r = store_bytes(id, ChunkOwner::outbox_payload, c.payload, c.payload_file); !r)
                return std::unexpected(r.error());
            if (auto r = store_bytes(id, ChunkOwner::outbox_plain, c.plain, c.plain_file); !r)
                return std::unexpected(r.error());
            ids.push_back(id);
        }
        transaction.commit();
        return ids;
    });
}

Result<void> OutboxStore::store_bytes(long long id, ChunkOwner owner,
                                      const std::optional<std::string>& bytes,
                                      const std::optional<std::filesystem::path>& file) {
    if (file) {
        auto written = m_chunks.write_file(owner, id, *file);
        return written ? Result<void>() : std::unexpected(written.error());
    }
    if (bytes) {
        auto written = m_chunks.write(owner, id, *bytes);
        return written ? Result<void>() : std::unexpected(written.error());
    }
    return m_chunks.remove(owner, id);
}

Result<std::optional<std::string>> OutboxStore::bytes_of(long long id, ChunkOwner owner,
                                                         const std::optional<std::string>& text) {
    std::string bytes;
    auto read = m_chunks.read(owner, id, [&](std::string_view chunk) -> Result<void> {
        bytes += chunk;
        return {};
    });
    if (!read)
        return std::unexpected(read.error());
    if (*read)
        return std::optional<std::string>(std::move(bytes));
    if (!text)
        return std::optional<std::string>();
    return std::optional<std::string>(base64_decode(*text).value_or(""));
}

Result<std::vector<OutboxEntry>> OutboxStore::list() {
    return guarded("reading the outbox", [&]() -> Result<std::vector<OutboxEntry>> {
        std::vector<OutboxEntry> out;
        Row row;
        soci::statement st(m_database.session());
        row.bind(st);
        st.alloc();
        st.prepare(std::string("SELECT ") + kColumns + " FROM outbox ORDER BY id DESC");
        st.define_and_bind();
        st.execute();
        while (st.fetch()) {
            out.push_back(row.entry());
        }
        return out;
    });
}

Result<std::optional<OutboxEntry>> OutboxStore::get(long long id) {
    return guarded("reading the outbox", [&]() -> Result<std::optional<OutboxEntry>> {
        Row row;
        std::string payload, plain;
        soci::indicator payload_i = soci::i_null, plain_i = soci::i_null;
        soci::statement st(m_database.session());
        row.bind(st);
        st.exchange(soci::into(payload, payload_i));
        st.exchange(soci::into(plain, plain_i));
        st.exchange(soci::use(id));
        st.alloc();
        st.prepare(std::string("SELECT ") + kColumns +
                   ", payload_base64, plain_base64 FROM outbox WHERE id = :id");
        st.define_and_bind();
        st.execute();
        if (!st.fetch()) {
            return std::optional<OutboxEntry>();
        }
        OutboxEntry entry = row.entry();
        // The row's own columns hold bytes only for copies made before they moved into chunks.
        auto sent = bytes_of(id, ChunkOwner::outbox_payload,
                             payload_i == soci::i_ok ? std::optional(payload) : std::nullopt);
        if (!sent)
            return std::unexpected(sent.error());
        entry.payload = std::move(*sent);
        auto kept = bytes_of(id, ChunkOwner::outbox_plain,
                             plain_i == soci::i_ok ? std::optional(plain) : std::nullopt);
        if (!kept)
            return std::unexpected(kept.error());
        entry.plain = std::move(*kept);
        return std::optional<OutboxEntry>(std::move(entry));
    });
}

Result<std::optional<OutboxEntry>> OutboxStore::get_summary(long long id) {
    return guarded("reading the outbox", [&]() -> Result<std::optional<OutboxEntry>> {
        Row row;
        soci::statement st(m_database.session());
        row.bind(st);
        st.exchange(soci::use(id));
        st.alloc();
        st.prepare(std::string("SELECT ") + kColumns + " FROM outbox WHERE id = :id");
        st.define_and_bind();
        st.execute();
        if (!st.fetch())
            return std::optional<OutboxEntry>();
        return std::optional<OutboxEntry>(row.entry());
    });
}

Result<bool> OutboxStore::bytes_to_file(long long id, ChunkOwner owner, const char* column,
                                        const std::filesystem::path& out) {
    // The file is made only when there are bytes: `false` leaves nothing behind.
    std::optional<std::ofstream> file;
    auto sink = [&](std::string_view bytes) -> Result<void> {
        if (!file) {
            file.emplace(out, std::ios::binary | std::ios::trunc);
            if (!*file)
                return fail(Errc::io, "cannot write " + out.string());
        }
        if (!file->write(bytes.data(), static_cast<std::streamsize>(bytes.size())))
            return fail(Errc::io, "cannot write " + out.string());
        return {};
    };
    auto chunked = m_chunks.read(owner, id, sink);
    if (!chunked)
        return std::unexpected(chunked.error());
    if (!*chunked) {
        // A copy from before the chunks: its base64 text is one value of the row, held once
        // while it is decoded into the file a chunk at a time.
        auto whole = guarded("reading the outbox", [&]() -> Result<std::optional<std::string>> {
            std::string text;
            soci::indicator text_i = soci::i_null;
            m_database.session() << std::string("SELECT ") + column + " FROM outbox WHERE id = :id",
                soci::into(text, text_i), soci::use(id);
            if (!m_database.session().got_data() || text_i != soci::i_ok)
                return std::optional<std::string>();
            return std::optional<std::string>(std::move(text));
        });
        if (!whole)
            return std::unexpected(whole.error());
        if (!*whole)
            return false;
        const std::string& text = **whole;
        for (std::size_t at = 0; at == 0 || at < text.size(); at += kTextChunk) {
            auto bytes = base64_decode(std::string_view(text).substr(at, kTextChunk));
            if (!bytes)
                return fail(Errc::internal, "outbox copy " + std::to_string(id) +
                                                ": the stored message is not base64");
            if (auto written = sink(*bytes); !written)
                return std::unexpected(written.error());
        }
    }
    if (file && !file->flush())
        return fail(Errc::io, "cannot write " + out.string());
    return true;
}

Result<bool> OutboxStore::payload_to_file(long long id, const std::filesystem::path& out) {
    return bytes_to_file(id, ChunkOwner::outbox_payload, "payload_base64", out);
}

Result<bool> OutboxStore::plain_to_file(long long id, const std::filesystem::path& out) {
    return bytes_to_file(id, ChunkOwner::outbox_plain, "plain_base64", out);
}

Result<std::optional<OutboxEntry>> OutboxStore::claim(TimePoint now, std::chrono::seconds lease,
                                                      bool with_bytes) {
    auto claimed = guarded("claiming from the outbox", [&]() -> Result<std::optional<long long>> {
        soci::session& sql = m_database.session();
        const std::string at = to_iso8601(now);
        const std::string until = to_iso8601(now + lease);
        const std::string lock =
            m_database.backend() == Backend::postgresql ? " FOR UPDATE SKIP LOCKED" : "";
        long long id = 0;
        Transaction transaction(m_database);
        sql << "UPDATE outbox SET state = 'sending', lease_until = :until, attempts = attempts + 1 "
               "WHERE id = (SELECT id FROM outbox WHERE (state = 'queued' AND next_attempt_at <= "
               ":now) "
               "OR (state = 'sending' AND lease_until < :now2) ORDER BY id LIMIT 1" +
                   lock + ") RETURNING id",
            soci::use(until), soci::use(at), soci::use(at), soci::into(id);
        const bool got = sql.got_data();
        transaction.commit();
        return got ? std::optional<long long>(id) : std::nullopt;
    });
    if (!claimed)
        return std::unexpected(claimed.error());
    if (!*claimed)
        return std::optional<OutboxEntry>();
    return with_bytes ? get(**claimed) : get_summary(**claimed);
}

Result<std::optional<OutboxEntry>> OutboxStore::claim_id(long long id, TimePoint now,
                                                         std::chrono::seconds lease,
                                                         bool with_bytes) {
    auto claimed = guarded("claiming from the outbox", [&]() -> Result<bool> {
        soci::session& sql = m_database.session();
        const std::string at = to_iso8601(now);
        const std::string until = to_iso8601(now + lease);
        soci::statement st =
            (sql.prepare << "UPDATE outbox SET state = 'sending', lease_until = :until, "
                            "attempts = attempts + 1 WHERE id = :id AND (state = 'queued' OR "
                            "(state = 'sending' AND lease_until < :now))",
             soci::use(until), soci::use(id), soci::use(at));
        st.execute(true);
        return st.get_affected_rows() > 0;
    });
    if (!claimed)
        return std::unexpected(claimed.error());
    if (!*claimed)
        return std::optional<OutboxEntry>();
    return with_bytes ? get(id) : get_summary(id);
}

Result<void> OutboxStore::mark_sent(long long id, TimePoint at) {
    return guarded("updating the outbox", [&]() -> Result<void> {
        const std::string when = to_iso8601(at);
        Transaction transaction(m_database);
        // The plain message is not needed any more: an outbox is no archive of plaintext.
        m_database.session()
            << "UPDATE outbox SET state = 'sent', sent_at = :at, lease_until = NULL, "
               "last_error = NULL, plain_base64 = NULL WHERE id = :id",
            soci::use(when), soci::use(id);
        if (auto removed = m_chunks.remove(ChunkOwner::outbox_plain, id); !removed)
            return std::unexpected(removed.error());
        transaction.commit();
        return {};
    });
}

Result<void> OutboxStore::mark_retry(long long id, TimePoint next, const std::string& error) {
    return guarded("updating the outbox", [&]() -> Result<void> {
        const std::string when = to_iso8601(next);
        m_database.session() << "UPDATE outbox SET state = 'queued', next_attempt_at = :n, "
                                "lease_until = NULL, last_error = :e WHERE id = :id",
            soci::use(when), soci::use(error), soci::use(id);
        return {};
    });
}

Result<void> OutboxStore::mark_failed(long long id, const std::string& error) {
    return guarded("updating the outbox", [&]() -> Result<void> {
        m_database.session() << "UPDATE outbox SET state = 'failed', lease_until = NULL, "
                                "last_error = :e WHERE id = :id",
            soci::use(error), soci::use(id);
        return {};
    });
}

Result<void> OutboxStore::requeue(const OutboxEntry& e, TimePoint now, TimePoint expires) {
    return guarded("updating the outbox", [&]() -> Result<void> {
        const std::string at = to_iso8601(now);
        const std::string until = to_iso8601(expires);
        Transaction transaction(m_database);  // never a half-filled copy that is due
        const int encrypted = e.encrypted ? 1 : 0;
        const std::string state = to_string(e.state);
        // The old columns are cleared: from now on the copy's bytes are in chunks.
        m_database.session()
            << "UPDATE outbox SET state = :s, payload_base64 = NULL, plain_base64 = NULL, "
               "encrypted = :e, report = :r, next_attempt_at = :n, expires_at = :x, "
               "lease_until = NULL, last_error = :err WHERE id = :id",
            soci::use(state), soci::use(encrypted), soci::use(e.report), soci::use(at),
            soci::use(until), soci::use(e.last_error), soci::use(e.id);
        if (auto r = store_bytes(e.id, ChunkOwner::outbox_payload, e.payload, e.payload_file); !r)
            return std::unexpected(r.error());
        if (auto r = store_bytes(e.id, ChunkOwner::outbox_plain, e.plain, e.plain_file); !r)
            return std::unexpected(r.error());
        transaction.commit();
        return {};
    });
}

}  // namespace casecrypt::store
