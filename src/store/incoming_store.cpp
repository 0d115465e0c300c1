#include "store/incoming_store.h"

#include <soci/soci.h>

#include "core/base64.h"
#include "core/iso_time.h"
#include "store/guarded.h"

namespace casecrypt::store {
namespace {

constexpr const char* kColumns =
    "id, account, source_key, state, size, subject, from_address, message_id, received_at, "
    "attempts, error, error_at, done_on_server";

IncomingState state_from(const std::string& text) {
    if (text == "filed")
        return IncomingState::filed;
    if (text == "backup")
        return IncomingState::backup;
    if (text == "deleted")
        return IncomingState::deleted;
    return IncomingState::fresh;
}

TimePoint time_of(const std::string& text) {
    return from_iso8601(text).value_or(TimePoint{});
}

struct Row {
    IncomingRecord r;
    std::string state, received, error, error_at;
    int done = 0;
    soci::indicator error_i = soci::i_null, error_at_i = soci::i_null;

    void bind(soci::statement& st) {
        st.exchange(soci::into(r.id));
        st.exchange(soci::into(r.account));
        st.exchange(soci::into(r.source_key));
        st.exchange(soci::into(state));
        st.exchange(soci::into(r.size));
        st.exchange(soci::into(r.subject));
        st.exchange(soci::into(r.from_address));
        st.exchange(soci::into(r.message_id));
        st.exchange(soci::into(received));
        st.exchange(soci::into(r.attempts));
        st.exchange(soci::into(error, error_i));
        st.exchange(soci::into(error_at, error_at_i));
        st.exchange(soci::into(done));
    }
    IncomingRecord record() const {
        IncomingRecord out = r;
        out.state = state_from(state);
        out.received_at = time_of(received);
        out.error = error_i == soci::i_ok ? error : "";
        if (error_at_i == soci::i_ok)
            out.error_at = time_of(error_at);
        out.done_on_server = done != 0;
        return out;
    }
};

}  // namespace

std::string to_string(IncomingState state) {
    switch (state) {
        case IncomingState::fresh:
            return "new";
        case IncomingState::filed:
            return "filed";
        case IncomingState::backup:
            return "backup";
        case IncomingState::deleted:
            return "deleted";
    }
    return "new";
}

Result<std::optional<long long>> IncomingStore::add(const IncomingRecord& r,
                                                    const std::filesystem::path& raw_file) {
    std::error_code ec;
    const auto size = std::filesystem::file_size(raw_file, ec);
    if (ec)
        return fail(Errc::io, "cannot read " + raw_file.string() + ": " + ec.message());
    return guarded("storing a fetched mail", [&]() -> Result<std::optional<long long>> {
        soci::session& sql = m_database.session();
        Transaction transaction(m_database);
        const std::string received = to_iso8601(r.received_at);
        const auto bytes = static_cast<long long>(size);
        long long id = 0;
        // The bytes go into chunks (raw_base64 stays NULL), in the same transaction.
        sql << "INSERT INTO incoming (account, source_key, state, size, subject, from_address, "
               "message_id, received_at, attempts, done_on_server) VALUES (:a, :k, 'new', "
               ":size, :s, :f, :m, :at, 0, 0) ON CONFLICT (account, source_key) DO NOTHING "
               "RETURNING id",
            soci::use(r.account), soci::use(r.source_key), soci::use(bytes), soci::use(r.subject),
            soci::use(r.from_address), soci::use(r.message_id), soci::use(received), soci::into(id);
        if (!sql.got_data())
            return std::optional<long long>();
        auto written = m_chunks.write_file(ChunkOwner::incoming, id, raw_file);
        if (!written)
            return std::unexpected(written.error());
        if (*written != bytes) {
            return fail(Errc::io, raw_file.string() + " changed while it was stored");
        }
        transaction.commit();
        return std::optional<long long>(id);
    });
}

Result<std::map<std::string, bool>> IncomingStore::keys(const std::string& account) {
    return guarded("reading stored mail", [&]() -> Result<std::map<std::string, bool>> {
        std::map<std::string, bool> out;
        std::string key;
        int done = 0;
        soci::statement st = (m_database.session().prepare
                                  << "SELECT source_key, done_on_server FROM incoming WHERE "
                                     "account = :a",
                              soci::use(account), soci::into(key), soci::into(done));
        st.execute();
        while (st.fetch())
            out[key] = done != 0;
        return out;
    });
}

Result<void> IncomingStore::mark_done_on_server(const std::string& account,
                                                const std::string& key) {
    return guarded("updating stored mail", [&]() -> Result<void> {
        m_database.session() << "UPDATE incoming SET done_on_server = 1 WHERE account = :a AND "
                                "source_key = :k",
            soci::use(account), soci::use(key);
        return {};
    });
}

namespace {

// Counts an attempt at the first new mail `condition` selects (committed on its own).
Result<std::optional<IncomingStore::Attempt>> count_attempt(Database& database,
                                                            const std::string& condition,
                                                            long long value) {
    return guarded(
        "counting an attempt at a fetched mail",
        [&]() -> Result<std::optional<IncomingStore::Attempt>> {
            soci::session& sql = database.session();
            const std::string lock =
                database.backend() == Backend::postgresql ? " FOR UPDATE SKIP LOCKED" : "";
            IncomingStore::Attempt attempt;
            sql << "UPDATE incoming SET attempts = attempts + 1 WHERE id = (SELECT id "
                   "FROM incoming WHERE state = 'new' AND " +
                       condition + " ORDER BY id LIMIT 1" + lock +
                       ") RETURNING id, attempts, account",
                soci::use(value), soci::into(attempt.id), soci::into(attempt.attempts),
                soci::into(attempt.account);
            return sql.got_data() ? std::optional<IncomingStore::Attempt>(attempt) : std::nullopt;
        });
}

}  // namespace

Result<std::optional<IncomingStore::Attempt>> IncomingStore::start_attempt(long long after) {
    return count_attempt(m_database, "id > :v", after);
}

Result<std::optional<IncomingStore::Attempt>> IncomingStore::start_attempt_at(long long id) {
    return count_attempt(m_database, "id = :v", id);
}

Result<std::optional<IncomingRecord>> IncomingStore::claim(long long id) {
    auto claimed = guarded("claiming a fetched mail", [&]() -> Result<bool> {
        soci::session& sql = m_database.session();
        const std::string lock =
            m_database.backend() == Backend::postgresql ? " FOR UPDATE SKIP LOCKED" : "";
        long long got = 0;
        // A write first: on SQLite it takes the write lock at once, so two processes never
        // both read the same mail and then collide.
        sql << "UPDATE incoming SET attempts = attempts WHERE id = (SELECT id FROM incoming "
               "WHERE id = :id AND state = 'new'" +
                   lock + ") RETURNING id",
            soci::use(id), soci::into(got);
        return sql.got_data();
    });
    if (!claimed)
        return std::unexpected(claimed.error());
    if (!*claimed)
        return std::optional<IncomingRecord>();
    return summary(id);
}

Result<void> IncomingStore::record_failure(long long id, const std::string& error, TimePoint at) {
    return guarded("updating stored mail", [&]() -> Result<void> {
        const std::string when = to_iso8601(at);
        m_database.session() << "UPDATE incoming SET error = :e, error_at = :at WHERE id = :id "
                                "AND state = 'new'",
            soci::use(error), soci::use(when), soci::use(id);
        return {};
    });
}

Result<void> IncomingStore::mark_filed(long long id) {
    return guarded("updating stored mail", [&]() -> Result<void> {
        m_database.session() << "UPDATE incoming SET state = 'filed', error = NULL, error_at = "
                                "NULL WHERE id = :id",
            soci::use(id);
        return {};
    });
}

Result<void> IncomingStore::mark_backup(long long id, const std::string& error, TimePoint at) {
    return guarded("updating stored mail", [&]() -> Result<void> {
        const std::string when = to_iso8601(at);
        m_database.session() << "UPDATE incoming SET state = 'backup', error = :e, error_at = :at "
                                "WHERE id = :id AND state = 'new'",
            soci::use(error), soci::use(when), soci::use(id);
        return {};
    });
}

Result<bool> IncomingStore::requeue_backup(long long id) {
    return guarded("updating stored mail", [&]() -> Result<bool> {
        soci::statement st =
            (m_database.session().prepare
                 << "UPDATE incoming SET state = 'new', attempts = 0 WHERE id = :id "
                    "AND state = 'backup'",
             soci::use(id));
        st.execute(true);
        return st.get_affected_rows() > 0;
    });
}

Result<bool> IncomingStore::delete_backup(long long id) {
    return guarded("deleting an email backup", [&]() -> Result<bool> {
        Transaction transaction(m_database);
        soci::statement st = (m_database.session().prepare
                                  << "UPDATE incoming SET state = 'deleted', raw_base64 = NULL "
                                     "WHERE id = :id AND state = 'backup'",
                              soci::use(id));
        st.execute(true);
        const bool deleted = st.get_affected_rows() > 0;
        if (deleted) {
            if (auto removed = m_chunks.remove(ChunkOwner::incoming, id); !removed)
                return std::unexpected(removed.error());
        }
        transaction.commit();
        return deleted;
    });
}

Result<std::optional<IncomingRecord>> IncomingStore::get(long long id) {
    return guarded("reading stored mail", [&]() -> Result<std::optional<IncomingRecord>> {
        Row row;
        std::string raw;
        soci::indicator raw_i = soci::i_null;
        soci::statement st(m_database.session());
        row.bind(st);
        st.exchange(soci::into(raw, raw_i));
        st.exchange(soci::use(id));
        st.alloc();
        st.prepare(std::string("SELECT ") + kColumns + ", raw_base64 FROM incoming WHERE id = :id");
        st.define_and_bind();
        st.execute();
        if (!st.fetch())
            return std::optional<IncomingRecord>();
        IncomingRecord record = row.record();
        if (raw_i == soci::i_ok) {
            auto decoded = base64_decode(raw);
            if (!decoded) {
                return fail(Errc::internal,
                            "stored mail " + std::to_string(id) + " is damaged in the database");
            }
            record.raw = std::move(*decoded);
        }
        return std::optional<IncomingRecord>(std::move(record));
    });
}

Result<std::optional<IncomingRecord>> IncomingStore::summary(long long id) {
    return guarded("reading stored mail", [&]() -> Result<std::optional<IncomingRecord>> {
        Row row;
        soci::statement st(m_database.session());
        row.bind(st);
        st.exchange(soci::use(id));
        st.alloc();
        st.prepare(std::string("SELECT ") + kColumns + " FROM incoming WHERE id = :id");
        st.define_and_bind();
        st.execute();
        if (!st.fetch())
            return std::optional<IncomingRecord>();
        return std::optional<IncomingRecord>(row.record());
    });
}

Result<long long> IncomingStore::read_raw(long long id, const ByteSink& sink) {
    auto chunked = m_chunks.read(ChunkOwner::incoming, id, sink);
    if (!chunked)
        return std::unexpected(chunked.error());
    if (*chunked)
        return **chunked;
    // Stored before chunks existed: the whole mail is in its own column.
    auto record = get(id);
    if (!record)
        return std::unexpected(record.error());
    if (!*record || !(*record)->raw)
        return fail(Errc::not_found, "stored mail " + std::to_string(id) + " has no bytes");
    if (auto sent = sink(*(*record)->raw); !sent)
        return std::unexpected(sent.error());
    return static_cast<long long>((*record)->raw->size());
}

Result<std::vector<IncomingRecord>> IncomingStore::list(IncomingState state) {
    return guarded("reading stored mail", [&]() -> Result<std::vector<IncomingRecord>> {
        std::vector<IncomingRecord> out;
        Row row;
        std::string wanted = to_string(state);
        soci::statement st(m_database.session());
        row.bind(st);
        st.exchange(soci::use(wanted));
        st.alloc();
        st.prepare(std::string("SELECT ") + kColumns +
                   " FROM incoming WHERE state = :s ORDER BY id DESC");
        st.define_and_bind();
        st.execute();
        while (st.fetch())
            out.push_back(row.record());
        return out;
    });
}

Result<long long> IncomingStore::count(IncomingState state) {
    return guarded("reading stored mail", [&]() -> Result<long long> {
        long long n = 0;
        std::string wanted = to_string(state);
        m_database.session() << "SELECT COUNT(*) FROM incoming WHERE state = :s", soci::use(wanted),
            soci::into(n);
        return n;
    });
}

}  // namespace casecrypt::store
