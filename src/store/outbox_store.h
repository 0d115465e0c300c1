// OutboxStore: the durable outbox. A copy is committed here before any delivery attempt and
// claimed by one worker at a time (a lease, so a worker that died does not hold it forever).
// On PostgreSQL the claim uses FOR UPDATE SKIP LOCKED so several nodes can deliver at once;
// SQLite has one writer at a time, which makes the claiming UPDATE atomic by itself.
// A copy's bytes (to send, and the kept plain message) are in blob_chunks (ChunkedBytes), not
// in its row: they move file -> database -> file a chunk at a time, and updating the row's state
// never touches them. Copies made before that keep theirs in the row and are read from there.
// Not thread-safe (one database connection).
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

enum class OutboxState { queued, sending, sent, failed, rejected };

std::string to_string(OutboxState state);

struct OutboxEntry {
    long long id = 0;
    std::string mail_id;  // the Message-ID shared by the copies of one mail
    OutboxState state = OutboxState::queued;
    std::string envelope_from;
    std::vector<std::string> recipients;
    std::string subject;
    bool encrypted = false;
    std::optional<std::string> payload;  // the bytes to send (only by get())
    std::optional<std::string> plain;    // the unencrypted message, kept while rejected
    // For add() and requeue(): the bytes are read from these files instead (payload/plain
    // stay empty), a chunk at a time, so the mail is not held in memory once more.
    std::optional<std::filesystem::path> payload_file;
    std::optional<std::filesystem::path> plain_file;
    std::string report;  // JSON, per recipient
    int attempts = 0;
    TimePoint next_attempt_at{};
    std::optional<TimePoint> lease_until;
    std::string last_error;
    TimePoint created_at{};
    TimePoint expires_at{};
    std::optional<TimePoint> sent_at;
};

class OutboxStore {
public:
    explicit OutboxStore(Database& database) : m_database(database), m_chunks(database) {}

    // Inserts every copy of one mail in one transaction; returns their ids.
    Result<std::vector<long long>> add(const std::vector<OutboxEntry>& copies);
    // Without the message bytes (payload/plain stay empty), newest first.
    Result<std::vector<OutboxEntry>> list();
    // With the message bytes.
    Result<std::optional<OutboxEntry>> get(long long id);
    // Without the message bytes.
    Result<std::optional<OutboxEntry>> get_summary(long long id);
    // Writes the bytes to send (false: none kept) or the kept plain message into a file,
    // decoded a chunk at a time.
    Result<bool> payload_to_file(long long id, const std::filesystem::path& out);
    Result<bool> plain_to_file(long long id, const std::filesystem::path& out);
    // Claims the oldest due copy (queued and due, or sending with an expired lease). With the
    // bytes unless `with_bytes` is false (then payload_to_file() reads them).
    Result<std::optional<OutboxEntry>> claim(TimePoint now, std::chrono::seconds lease,
                                             bool with_bytes = true);
    // Claims one specific copy, if it is due or not (for `outbox deliver` right after sending).
    Result<std::optional<OutboxEntry>> claim_id(long long id, TimePoint now,
                                                std::chrono::seconds lease, bool with_bytes = true);
    Result<void> mark_sent(long long id, TimePoint at);
    Result<void> mark_retry(long long id, TimePoint next, const std::string& error);
    Result<void> mark_failed(long long id, const std::string& error);
    // A rejected or failed copy made ready again (new payload, due now).
    Result<void> requeue(const OutboxEntry& entry, TimePoint now, TimePoint expires);

private:
    // The bytes of one kind (chunks, else the row's old column) into `out`; false: none kept.
    Result<bool> bytes_to_file(long long id, ChunkOwner owner, const char* column,
                               const std::filesystem::path& out);
    // The bytes of one kind as a string (chunks, else the row's old column `text`).
    Result<std::optional<std::string>> bytes_of(long long id, ChunkOwner owner,
                                                const std::optional<std::string>& text);
    // Replaces the stored bytes of one kind: from the file, else the string, else none.
    Result<void> store_bytes(long long id, ChunkOwner owner,
                             const std::optional<std::string>& bytes,
                             const std::optional<std::filesystem::path>& file);

    Database& m_database;
    ChunkedBytes m_chunks;
};

}  // namespace casecrypt::store
