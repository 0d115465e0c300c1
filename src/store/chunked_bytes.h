// ChunkedBytes: large byte strings (a fetched mail, an attachment) kept in the database as
// numbered chunks, so that they move file -> database -> file a chunk at a time and never
// whole in memory, on SQLite and PostgreSQL alike. Each chunk is its own row of base64 text
// (768 KiB of bytes, 1 MiB of text); a chunk is read by its key, one statement per chunk,
// because the PostgreSQL backend would otherwise fetch a whole result set into memory.
// Joins the caller's transaction. Not thread-safe (it uses its Database's connection).
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <string_view>

#include "core/error.h"
#include "store/database.h"

namespace casecrypt::store {

// What the bytes belong to (the chunk rows' `owner` column): a fetched mail, an attachment of
// a ticket message, an outbox copy's bytes to send and its kept plain message (by outbox id).
enum class ChunkOwner { incoming, attachment, outbox_payload, outbox_plain };

// Receives the bytes in order, a chunk at a time.
using ByteSink = std::function<Result<void>(std::string_view)>;

class ChunkedBytes {
public:
    static constexpr std::size_t kChunkBytes = 768 * 1024;  // a multiple of 3: no base64 padding

    explicit ChunkedBytes(Database& database) : m_database(database) {}

    // Stores the content of `file` for (owner, id), replacing what was there; how many bytes.
    // Call inside a transaction (or the chunks commit one by one).
    Result<long long> write_file(ChunkOwner owner, long long id, const std::filesystem::path& file);
    // The same for bytes already in memory (small ones, or a caller that has nothing else).
    Result<long long> write(ChunkOwner owner, long long id, std::string_view bytes);
    // Sends the stored bytes to `sink`; how many, or nullopt when nothing is stored for
    // (owner, id) (bytes from before chunks existed are in the owner's own column).
    Result<std::optional<long long>> read(ChunkOwner owner, long long id, const ByteSink& sink);
    Result<void> remove(ChunkOwner owner, long long id);

private:
    Database& m_database;
};

}  // namespace casecrypt::store
