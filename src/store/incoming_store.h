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

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/error.h"
#include "store/database.h"

namespace casecrypt::store {

enum class IncomingState { fresh, filed, backup, deleted };  // "new", "filed", "backup", "deleted"

std::string to_string(IncomingState state);

struct IncomingRecord {
    long long id = 0;
    std::string account;
    std::string source_key;
    IncomingState state = IncomingState::fresh;
    std::optional<std::string> raw;  // the bytes as fetched (only by get()/claim())
    long long size = 0;
    std::string subject;       // of the outer header, for listings
    std::string from_address;  // ditto
    std::string message_id;
    TimePoint received_at{};
    int attempts = 0;
    std::string error;  // why it is a backup
    std::optional<TimePoint> error_at;
    bool done_on_server = false;  // the mailbox was told (marked seen or deleted)
};

class IncomingStore {
public:
    explicit IncomingStore(Database& database) : m_database(database) {}

    // Stores a fetched mail (state new) in its own transaction. Empty when this (account, key)
    // is stored already.
    Result<std::optional<long long>> add(const IncomingRecord& record);
    // The keys of an account's stored mails, with whether the mailbox was told.
    Result<std::map<std::string, bool>> keys(const std::string& account);
    Result<void> mark_done_on_server(const std::string& account, const std::string& key);

    // Inside a transaction: claims the oldest new mail (or the one with this id, if new).
    Result<std::optional<IncomingRecord>> claim_next();
    Result<std::optional<IncomingRecord>> claim(long long id);
    Result<void> mark_filed(long long id);
    Result<void> mark_backup(long long id, const std::string& error, TimePoint at);

    // A backup made new again (for `backup retry`). False unless it was a backup.
    Result<bool> requeue_backup(long long id);
    // The raw bytes go; the key stays (so the mail is not fetched again). False unless it was
    // a backup.
    Result<bool> delete_backup(long long id);

    Result<std::optional<IncomingRecord>> get(long long id);
    // Without raw bytes, newest first.
    Result<std::vector<IncomingRecord>> list(IncomingState state);
    Result<long long> count(IncomingState state);

private:
    Database& m_database;
};

}  // namespace casecrypt::store
