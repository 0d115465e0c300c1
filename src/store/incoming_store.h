// IncomingStore: every fetched mail, raw, from the moment it was read from its mailbox, and
// what became of it (filed into a ticket, or kept as an email backup with the cause).
//
// A mail is unique per (account, source key): storing it again does nothing, which is what
// makes "fetched once" hold across crashes. Processing claims one mail inside the caller's
// transaction (store::Transaction), so the claim, the ticket message and the new state commit
// together or not at all; a process killed halfway leaves the mail `new` for the next one. On
// PostgreSQL the claim skips mails another node is processing (FOR UPDATE SKIP LOCKED).
// Not thread-safe (it uses its Database's connection).
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/error.h"
#include "store/chunked_bytes.h"
#include "store/database.h"

namespace casecrypt::store {

enum class IncomingState { fresh, filed, backup, deleted };  // "new", "filed", "backup", "deleted"

std::string to_string(IncomingState state);

struct IncomingRecord {
    long long id = 0;
    std::string account;
    std::string source_key;
    IncomingState state = IncomingState::fresh;
    std::optional<std::string> raw;  // the bytes as fetched (only by get(), and only for mail
                                     // stored before chunks: read_raw() has every mail's)
    long long size = 0;
    std::string subject;       // of the outer header, for listings
    std::string from_address;  // ditto
    std::string message_id;
    TimePoint received_at{};
    int attempts = 0;
    std::string error;  // why it is a backup (or, while new, why the last attempt failed)
    std::optional<TimePoint> error_at;
    bool done_on_server = false;  // the mailbox was told (marked seen or deleted)
};

class IncomingStore {
public:
    explicit IncomingStore(Database& database) : m_database(database), m_chunks(database) {}

    // Stores a fetched mail (state new) in its own transaction, its raw bytes read from
    // `raw_file` (record.raw and record.size are ignored). Empty when this (account, key) is
    // stored already.
    Result<std::optional<long long>> add(const IncomingRecord& record,
                                         const std::filesystem::path& raw_file);
    // The keys of an account's stored mails, with whether the mailbox was told.
    Result<std::map<std::string, bool>> keys(const std::string& account);
    Result<void> mark_done_on_server(const std::string& account, const std::string& key);

    // An attempt to process a mail begins, committed on its own before any work (so that a
    // mail that fails, or kills the process, every time is counted and ends as a backup
    // instead of blocking those behind it): the oldest new mail with an id above `after` gets
    // its attempts counted up. Its id and the attempts so far, including this one; empty when
    // no new mail is left above `after`. Not inside a transaction.
    struct Attempt {
        long long id = 0;
        int attempts = 0;
        std::string account;  // the mailbox it came from
    };
    Result<std::optional<Attempt>> start_attempt(long long after);
    // The same for this one mail, if it is new and no other node holds it.
    Result<std::optional<Attempt>> start_attempt_at(long long id);
    // Inside a transaction: claims this mail if it is still new (taking the write lock on
    // SQLite, the row lock on PostgreSQL, where a mail another node holds is skipped). Without
    // its raw bytes: write_raw() puts them into a file.
    Result<std::optional<IncomingRecord>> claim(long long id);
    // A failed attempt (rolled back): why, kept on the still-new mail.
    Result<void> record_failure(long long id, const std::string& error, TimePoint at);
    Result<void> mark_filed(long long id);
    Result<void> mark_backup(long long id, const std::string& error, TimePoint at);

    // A backup made new again, with its attempts back at 0 (for `backup retry`). False unless
    // it was a backup.
    Result<bool> requeue_backup(long long id);
    // The raw bytes go; the key stays (so the mail is not fetched again). False unless it was
    // a backup.
    Result<bool> delete_backup(long long id);

    Result<std::optional<IncomingRecord>> get(long long id);
    // The same without the raw bytes.
    Result<std::optional<IncomingRecord>> summary(long long id);
    // Sends the raw bytes of a stored mail to `sink`, a chunk at a time; how many.
    // Errc::not_found when it has none (deleted).
    Result<long long> read_raw(long long id, const ByteSink& sink);
    // Without raw bytes, newest first.
    Result<std::vector<IncomingRecord>> list(IncomingState state);
    Result<long long> count(IncomingState state);

private:
    Database& m_database;
    ChunkedBytes m_chunks;
};

}  // namespace casecrypt::store
