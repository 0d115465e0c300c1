#include "store/chunked_bytes.h"

#include <soci/soci.h>

#include <algorithm>
#include <fstream>
#include <string>
#include <vector>

#include "core/base64.h"
#include "store/guarded.h"

namespace casecrypt::store {
namespace {

std::string owner_name(ChunkOwner owner) {
    switch (owner) {
        case ChunkOwner::incoming:
            return "incoming";
        case ChunkOwner::attachment:
            return "attachment";
        case ChunkOwner::outbox_payload:
            return "outbox_payload";
        case ChunkOwner::outbox_plain:
            return "outbox_plain";
    }
    return "attachment";
}

}  // namespace

Result<long long> ChunkedBytes::write_file(ChunkOwner owner, long long id,
                                           const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in)
        return fail(Errc::io, "cannot read " + file.string());
    if (auto removed = remove(owner, id); !removed)
        return std::unexpected(removed.error());
    return guarded("storing bytes", [&]() -> Result<long long> {
        soci::session& sql = m_database.session();
        const std::string name = owner_name(owner);
        std::vector<char> buffer(kChunkBytes);
        long long total = 0;
        for (int seq = 0;; ++seq) {
            in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
            const auto n = static_cast<std::size_t>(in.gcount());
            if (n == 0 && seq > 0)
                break;
            const std::string text = base64_encode(std::string_view(buffer.data(), n));
            sql << "INSERT INTO blob_chunks (owner, owner_id, seq, data_base64) VALUES (:o, :i, "
                   ":s, :d)",
                soci::use(name), soci::use(id), soci::use(seq), soci::use(text);
            total += static_cast<long long>(n);
            if (n < buffer.size())
                break;
        }
        if (in.bad())
            return fail(Errc::io, "cannot read " + file.string());
        return total;
    });
}

Result<long long> ChunkedBytes::write(ChunkOwner owner, long long id, std::string_view bytes) {
    if (auto removed = remove(owner, id); !removed)
        return std::unexpected(removed.error());
    return guarded("storing bytes", [&]() -> Result<long long> {
        soci::session& sql = m_database.session();
        const std::string name = owner_name(owner);
        // At least one chunk, so that empty bytes are told from none stored.
        std::size_t at = 0;
        for (int seq = 0; seq == 0 || at < bytes.size(); ++seq) {
            const std::string text = base64_encode(bytes.substr(at, kChunkBytes));
            sql << "INSERT INTO blob_chunks (owner, owner_id, seq, data_base64) VALUES (:o, :i, "
                   ":s, :d)",
                soci::use(name), soci::use(id), soci::use(seq), soci::use(text);
            at += std::min(kChunkBytes, bytes.size() - at);
        }
        return static_cast<long long>(bytes.size());
    });
}

Result<std::optional<long long>> ChunkedBytes::read(ChunkOwner owner, long long id,
                                                    const ByteSink& sink) {
    const std::string name = owner_name(owner);
    long long total = 0;
    for (int seq = 0;; ++seq) {
        auto chunk = guarded("reading stored bytes", [&]() -> Result<std::optional<std::string>> {
            std::string text;
            soci::session& sql = m_database.session();
            sql << "SELECT data_base64 FROM blob_chunks WHERE owner = :o AND owner_id = :i AND "
                   "seq = :s",
                soci::use(name), soci::use(id), soci::use(seq), soci::into(text);
            if (!sql.got_data())
                return std::optional<std::string>();
            return std::optional<std::string>(std::move(text));
        });
        if (!chunk)
            return std::unexpected(chunk.error());
        if (!*chunk)
            return seq == 0 ? std::nullopt : std::optional<long long>(total);
        auto bytes = base64_decode(**chunk);
        if (!bytes) {
            return fail(Errc::internal, "stored bytes of " + name + " " + std::to_string(id) +
                                            " are damaged in the database");
        }
        if (auto sent = sink(*bytes); !sent)
            return std::unexpected(sent.error());
        total += static_cast<long long>(bytes->size());
    }
}

Result<void> ChunkedBytes::remove(ChunkOwner owner, long long id) {
    return guarded("removing stored bytes", [&]() -> Result<void> {
        const std::string name = owner_name(owner);
        m_database.session() << "DELETE FROM blob_chunks WHERE owner = :o AND owner_id = :i",
            soci::use(name), soci::use(id);
        return {};
    });
}

}  // namespace casecrypt::store
