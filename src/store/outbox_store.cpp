#include "store/outbox_store.h"

#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>

#include <fstream>
#include <memory>

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

// Base64 of the optional bytes: from the file when one is given (read a chunk at a time, so
// only the encoded text is held), else from the string. nullopt when there are none.
Result<std::optional<std::string>> encoded(const std::optional<std::string>& bytes,
                                           const std::optional<std::filesystem::path>& file) {
    if (!file) {
        return bytes ? std::optional<std::string>(base64_encode(*bytes)) : std::nullopt;
    }
    std::ifstream in(*file, std::ios::binary);
    if (!in)
        return fail(Errc::io, "cannot read " + file->string());
    std::error_code ec;
    const auto size = std::filesystem::file_size(*file, ec);
    std::string out;
    if (!ec)
        out.reserve((size + 2) / 3 * 4);
    std::string chunk(3 * 256 * 1024, '\0');  // a multiple of 3: no padding inside
    while (in) {
        in.read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
        const auto got = static_cast<std::size_t>(in.gcount());
        if (got > 0)
            out += base64_encode(std::string_view(chunk.data(), got));
    }
    if (in.bad())
        return fail(Errc::io, "cannot read " + file->string());
    return std::optional<std::string>(std::move(out));
}

// base64 turns 3 bytes into 4 characters: chunks of these sizes encode and decode on their own.
constexpr std::size_t kPlainChunk = 3 * 256 * 1024;
constexpr std::size_t kTextChunk = 4 * 256 * 1024;

// The SQLite connection under the session, for incremental BLOB I/O; nullptr on PostgreSQL.
sqlite_api::sqlite3* sqlite_of(Database& database) {
    if (database.backend() != Backend::sqlite)
        return nullptr;
    auto* backend = static_cast<soci::sqlite3_session_backend*>(database.session().get_backend());
    return backend != nullptr ? backend->conn_ : nullptr;
}

struct BlobCloser {
    void operator()(sqlite_api::sqlite3_blob* blob) const { sqlite_api::sqlite3_blob_close(blob); }
};
using BlobPtr = std::unique_ptr<sqlite_api::sqlite3_blob, BlobCloser>;

Result<BlobPtr> open_blob(sqlite_api::sqlite3* db, const char* column, long long id, bool write) {
    sqlite_api::sqlite3_blob* blob = nullptr;
    const int rc =
        sqlite_api::sqlite3_blob_open(db, "main", "outbox", column, id, write ? 1 : 0, &blob);
    BlobPtr owned(blob);
    if (rc != SQLITE_OK) {
        return fail(Errc::io, std::string("outbox copy ") + std::to_string(id) + ": " +
                                  sqlite_api::sqlite3_errmsg(db));
    }
    return owned;
}

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

// Writes the base64 of a file into one column of a row. On SQLite the value is made as a
// zeroblob of the final length and filled a chunk at a time (incremental BLOB I/O), so neither
// the bytes nor their text are held in memory; on PostgreSQL the text is bound as one value.
Result<void> fill_from_file(Database& database, long long id, const char* column,
                            const std::filesystem::path& file) {
    sqlite_api::sqlite3* db = sqlite_of(database);
    if (db == nullptr) {
        auto text = encoded(std::nullopt, file);
        if (!text)
            return std::unexpected(text.error());
        std::string value = std::move(**text);
        database.session() << std::string("UPDATE outbox SET ") + column + " = :v WHERE id = :id",
            soci::use(value), soci::use(id);
        return {};
    }
    std::error_code ec;
    const auto size = std::filesystem::file_size(file, ec);
    if (ec)
        return fail(Errc::io, "cannot read " + file.string() + ": " + ec.message());
    const long long length = static_cast<long long>((size + 2) / 3 * 4);
    database.session() << std::string("UPDATE outbox SET ") + column +
                              " = zeroblob(:n) WHERE id = :id",
        soci::use(length), soci::use(id);
    auto blob = open_blob(db, column, id, true);
    if (!blob)
        return std::unexpected(blob.error());
    std::ifstream in(file, std::ios::binary);
    if (!in)
        return fail(Errc::io, "cannot read " + file.string());
    std::string chunk(kPlainChunk, '\0');
    long long at = 0;
    while (in) {
        in.read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
        const auto got = static_cast<std::size_t>(in.gcount());
        if (got == 0)
            break;
        const std::string text = base64_encode(std::string_view(chunk.data(), got));
        if (at + static_cast<long long>(text.size()) > length)
            return fail(Errc::io, file.string() + " grew while it was read");
        if (sqlite_api::sqlite3_blob_write(blob->get(), text.data(), static_cast<int>(text.size()),
                                           static_cast<int>(at)) != SQLITE_OK) {
            return fail(Errc::io, std::string("outbox copy ") + std::to_string(id) + ": " +
                                      sqlite_api::sqlite3_errmsg(db));
        }
        at += static_cast<long long>(text.size());
    }
    if (in.bad() || at != length)
        return fail(Errc::io, "cannot read " + file.string());
    return {};
}

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
            // Bytes from a file are filled in after the row exists (fill_from_file).
            auto payload_text = encoded(c.payload_file ? std::nullopt : c.payload, std::nullopt);
            if (!payload_text)
                return std::unexpected(payload_text.error());
            auto plain_text = encoded(c.plain_file ? std::nullopt : c.plain, std::nullopt);
            if (!plain_text)
                return std::unexpected(plain_text.error());
            soci::indicator payload_i = *payload_text ? soci::i_ok : soci::i_null;
            soci::indicator plain_i = *plain_text ? soci::i_ok : soci::i_null;
            std::string payload = std::move(payload_text->value_or(""));
            std::string plain = std::move(plain_text->value_or(""));
            const std::string next = to_iso8601(c.next_attempt_at);
            const std::string created = to_iso8601(c.created_at);
            const std::string expires = to_iso8601(c.expires_at);
            std::string error = c.last_error;
            long long id = 0;
            sql << "INSERT INTO outbox (mail_id, state, envelope_from, recipients, subject, "
                   "encrypted, payload_base64, plain_base64, report, attempts, next_attempt_at, "
                   "last_error, created_at, expires_at) VALUES (:m, :s, :f, :r, :subj, :e, :p, "
                   ":pl, :rep, 0, :n, :err, :c, :x) RETURNING id",
                soci::use(c.mail_id), soci::use(state), soci::use(c.envelope_from),
                soci::use(recipients), soci::use(c.subject), soci::use(encrypted),
                soci::use(payload, payload_i), soci::use(plain, plain_i), soci::use(c.report),
                soci::use(next), soci::use(error), soci::use(created), soci::use(expires),
                soci::into(id);
            if (c.payload_file) {
                if (auto r = fill_from_file(m_database, id, "payload_base64", *c.payload_file); !r)
                    return std::unexpected(r.error());
            }
            if (c.plain_file) {
                if (auto r = fill_from_file(m_database, id, "plain_base64", *c.plain_file); !r)
                    return std::unexpected(r.error());
            }
            ids.push_back(id);
        }
        transaction.commit();
        return ids;
    });
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
        if (payload_i == soci::i_ok)
            entry.payload = base64_decode(payload).value_or("");
        if (plain_i == soci::i_ok)
            entry.plain = base64_decode(plain).value_or("");
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

Result<bool> OutboxStore::column_to_file(long long id, const char* column,
                                         const std::filesystem::path& out) {
    return guarded("reading the outbox", [&]() -> Result<bool> {
        if (sqlite_api::sqlite3* db = sqlite_of(m_database)) {
            // Incremental BLOB I/O: a chunk of the text at a time, decoded into the file.
            int present = 0;
            m_database.session() << std::string("SELECT ") + column +
                                        " IS NOT NULL FROM outbox WHERE id = :id",
                soci::into(present), soci::use(id);
            if (!m_database.session().got_data() || present == 0)
                return false;
            auto blob = open_blob(db, column, id, false);
            if (!blob)
                return std::unexpected(blob.error());
            std::ofstream file(out, std::ios::binary | std::ios::trunc);
            if (!file)
                return fail(Errc::io, "cannot write " + out.string());
            const int length = sqlite_api::sqlite3_blob_bytes(blob->get());
            std::string chunk(kTextChunk, '\0');
            for (int at = 0; at < length;) {
                const int n = std::min(length - at, static_cast<int>(chunk.size()));
                if (sqlite_api::sqlite3_blob_read(blob->get(), chunk.data(), n, at) != SQLITE_OK) {
                    return fail(Errc::io, std::string("outbox copy ") + std::to_string(id) + ": " +
                                              sqlite_api::sqlite3_errmsg(db));
                }
                auto bytes =
                    base64_decode(std::string_view(chunk.data(), static_cast<std::size_t>(n)));
                if (!bytes)
                    return fail(Errc::internal, "outbox copy " + std::to_string(id) +
                                                    ": the stored message is not base64");
                file.write(bytes->data(), static_cast<std::streamsize>(bytes->size()));
                at += n;
            }
            if (!file.flush())
                return fail(Errc::io, "cannot write " + out.string());
            return true;
        }
        // PostgreSQL: the base64 text is one value of the row: it is held once, the decoded
        // bytes never.
        std::string text;
        soci::indicator text_i = soci::i_null;
        m_database.session() << std::string("SELECT ") + column + " FROM outbox WHERE id = :id",
            soci::into(text, text_i), soci::use(id);
        if (!m_database.session().got_data() || text_i != soci::i_ok)
            return false;
        std::ofstream file(out, std::ios::binary | std::ios::trunc);
        if (!file)
            return fail(Errc::io, "cannot write " + out.string());
        for (std::size_t at = 0; at < text.size(); at += kTextChunk) {
            auto bytes = base64_decode(std::string_view(text).substr(at, kTextChunk));
            if (!bytes)
                return fail(Errc::internal, "outbox copy " + std::to_string(id) +
                                                ": the stored message is not base64");
            file.write(bytes->data(), static_cast<std::streamsize>(bytes->size()));
        }
        if (!file.flush())
            return fail(Errc::io, "cannot write " + out.string());
        return true;
    });
}

Result<bool> OutboxStore::payload_to_file(long long id, const std::filesystem::path& out) {
    return column_to_file(id, "payload_base64", out);
}

Result<bool> OutboxStore::plain_to_file(long long id, const std::filesystem::path& out) {
    return column_to_file(id, "plain_base64", out);
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
        // The bytes are not needed any more: an outbox is no archive of plaintext.
        m_database.session()
            << "UPDATE outbox SET state = 'sent', sent_at = :at, lease_until = NULL, "
               "last_error = NULL, plain_base64 = NULL WHERE id = :id",
            soci::use(when), soci::use(id);
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
        auto payload_text = encoded(e.payload_file ? std::nullopt : e.payload, std::nullopt);
        if (!payload_text)
            return std::unexpected(payload_text.error());
        auto plain_text = encoded(e.plain_file ? std::nullopt : e.plain, std::nullopt);
        if (!plain_text)
            return std::unexpected(plain_text.error());
        soci::indicator payload_i = *payload_text ? soci::i_ok : soci::i_null;
        soci::indicator plain_i = *plain_text ? soci::i_ok : soci::i_null;
        std::string payload = std::move(payload_text->value_or(""));
        std::string plain = std::move(plain_text->value_or(""));
        const int encrypted = e.encrypted ? 1 : 0;
        const std::string state = to_string(e.state);
        m_database.session()
            << "UPDATE outbox SET state = :s, payload_base64 = :p, plain_base64 = :pl, "
               "encrypted = :e, report = :r, next_attempt_at = :n, expires_at = :x, "
               "lease_until = NULL, last_error = :err WHERE id = :id",
            soci::use(state), soci::use(payload, payload_i), soci::use(plain, plain_i),
            soci::use(encrypted), soci::use(e.report), soci::use(at), soci::use(until),
            soci::use(e.last_error), soci::use(e.id);
        if (e.payload_file) {
            if (auto r = fill_from_file(m_database, e.id, "payload_base64", *e.payload_file); !r)
                return std::unexpected(r.error());
        }
        if (e.plain_file) {
            if (auto r = fill_from_file(m_database, e.id, "plain_base64", *e.plain_file); !r)
                return std::unexpected(r.error());
        }
        transaction.commit();
        return {};
    });
}

}  // namespace casecrypt::store
