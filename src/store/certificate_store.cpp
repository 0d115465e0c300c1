#include "store/certificate_store.h"

#include <soci/soci.h>

#include "core/base64.h"
#include "core/iso_time.h"
#include "store/guarded.h"

namespace casecrypt::store {
namespace {

constexpr const char* kColumns =
    "c.id, c.kind, c.subject, c.issuer, c.serial, c.fingerprint_sha256, c.not_before, "
    "c.not_after, c.key_description, c.der_base64, "
    "CASE WHEN c.sealed_private_key IS NULL THEN 0 ELSE 1 END, c.source, c.created_at, "
    "c.created_by";

CertificateKind kind_from(const std::string& text) {
    if (text == "server")
        return CertificateKind::server;
    if (text == "ca")
        return CertificateKind::ca;
    return CertificateKind::client;
}

CertificateSource source_from(const std::string& text) {
    if (text == "ldap")
        return CertificateSource::ldap;
    if (text == "harvested")
        return CertificateSource::harvested;
    return CertificateSource::file;
}

TimePoint time_from(const std::string& text) {
    return from_iso8601(text).value_or(TimePoint{});
}

}  // namespace

std::string to_string(CertificateKind kind) {
    switch (kind) {
        case CertificateKind::server:
            return "server";
        case CertificateKind::client:
            return "client";
        case CertificateKind::ca:
            return "ca";
    }
    return "client";
}

std::string to_string(CertificateSource source) {
    switch (source) {
        case CertificateSource::file:
            return "file";
        case CertificateSource::ldap:
            return "ldap";
        case CertificateSource::harvested:
            return "harvested";
    }
    return "file";
}

Result<long long> CertificateStore::insert(const CertificateRecord& record,
                                           const std::vector<std::string>& chain,
                                           const std::optional<std::string>& sealed_private_key) {
    return guarded("storing a certificate", [&]() -> Result<long long> {
        soci::session& sql = m_database.session();
        Transaction transaction(m_database);
        const std::string kind = to_string(record.kind);
        const std::string source = to_string(record.source);
        const std::string not_before = to_iso8601(record.not_before);
        const std::string not_after = to_iso8601(record.not_after);
        const std::string created_at = to_iso8601(record.created_at);
        const std::string der = base64_encode(record.der);
        std::string sealed = sealed_private_key ? base64_encode(*sealed_private_key) : "";
        soci::indicator sealed_indicator = sealed_private_key ? soci::i_ok : soci::i_null;
        long long id = 0;
        sql << "INSERT INTO certificates (kind, subject, issuer, serial, fingerprint_sha256, "
               "not_before, not_after, key_description, der_base64, sealed_private_key, source, "
               "created_at, created_by) VALUES (:kind, :subject, :issuer, :serial, :fp, :nb, "
               ":na, :key, :der, :sealed, :source, :created_at, :created_by) RETURNING id",
            soci::use(kind), soci::use(record.subject), soci::use(record.issuer),
            soci::use(record.serial), soci::use(record.fingerprint_sha256), soci::use(not_before),
            soci::use(not_after), soci::use(record.key_description), soci::use(der),
            soci::use(sealed, sealed_indicator), soci::use(source), soci::use(created_at),
            soci::use(record.created_by), soci::into(id);
        for (const std::string& address : record.addresses) {
            sql << "INSERT INTO certificate_addresses (certificate_id, address) VALUES (:id, :a)",
                soci::use(id), soci::use(address);
        }
        for (std::size_t i = 0; i < chain.size(); ++i) {
            const int position = static_cast<int>(i);
            const std::string chain_der = base64_encode(chain[i]);
            sql << "INSERT INTO certificate_chain (certificate_id, position, der_base64) "
                   "VALUES (:id, :p, :der)",
                soci::use(id), soci::use(position), soci::use(chain_der);
        }
        transaction.commit();
        return id;
    });
}

Result<std::vector<CertificateRecord>> CertificateStore::query(const std::string& where,
                                                               const std::string& a,
                                                               const std::string& b) {
    return guarded("reading certificates", [&]() -> Result<std::vector<CertificateRecord>> {
        soci::session& sql = m_database.session();
        std::vector<CertificateRecord> records;
        CertificateRecord r;
        std::string kind, not_before, not_after, der, source, created_at;
        int has_key = 0;
        soci::statement statement =
            (sql.prepare << std::string("SELECT ") + kColumns + " FROM certificates c " + where +
                                " ORDER BY c.id",
             soci::into(r.id), soci::into(kind), soci::into(r.subject), soci::into(r.issuer),
             soci::into(r.serial), soci::into(r.fingerprint_sha256), soci::into(not_before),
             soci::into(not_after), soci::into(r.key_description), soci::into(der),
             soci::into(has_key), soci::into(source), soci::into(created_at),
             soci::into(r.created_by));
        if (where.find(":a") != std::string::npos) {
            statement.exchange(soci::use(a, "a"));
        }
        if (where.find(":b") != std::string::npos) {
            statement.exchange(soci::use(b, "b"));
        }
        statement.define_and_bind();
        statement.execute();
        while (statement.fetch()) {
            CertificateRecord record = r;
            record.kind = kind_from(kind);
            record.not_before = time_from(not_before);
            record.not_after = time_from(not_after);
            record.der = base64_decode(der).value_or("");
            record.has_private_key = has_key != 0;
            record.source = source_from(source);
            record.created_at = time_from(created_at);
            records.push_back(std::move(record));
        }
        for (CertificateRecord& record : records) {
            std::string address;
            soci::statement addresses =
                (sql.prepare << "SELECT address FROM certificate_addresses WHERE "
                                "certificate_id = :id ORDER BY address",
                 soci::use(record.id), soci::into(address));
            addresses.execute();
            while (addresses.fetch()) {
                record.addresses.push_back(address);
            }
        }
        return records;
    });
}

Result<std::optional<CertificateRecord>> CertificateStore::get(long long id) {
    auto found = query("WHERE c.id = CAST(:a AS BIGINT)", std::to_string(id), "");
    if (!found) {
        return std::unexpected(found.error());
    }
    if (found->empty()) {
        return std::optional<CertificateRecord>();
    }
    return std::optional<CertificateRecord>(std::move(found->front()));
}

Result<std::optional<CertificateRecord>> CertificateStore::find_by_fingerprint(
    CertificateKind kind, const std::string& fingerprint) {
    auto found =
        query("WHERE c.kind = :a AND c.fingerprint_sha256 = :b", to_string(kind), fingerprint);
    if (!found) {
        return std::unexpected(found.error());
    }
    if (found->empty()) {
        return std::optional<CertificateRecord>();
    }
    return std::optional<CertificateRecord>(std::move(found->front()));
}

Result<std::vector<CertificateRecord>> CertificateStore::list(std::optional<CertificateKind> kind) {
    return kind ? query("WHERE c.kind = :a", to_string(*kind), "") : query("", "", "");
}

Result<std::vector<CertificateRecord>> CertificateStore::find_by_address(
    CertificateKind kind, const std::string& address) {
    return query(
        "WHERE c.kind = :a AND c.id IN (SELECT certificate_id FROM certificate_addresses "
        "WHERE address = :b)",
        to_string(kind), address);
}

Result<std::vector<std::string>> CertificateStore::chain(long long id) {
    return guarded("reading a certificate chain", [&]() -> Result<std::vector<std::string>> {
        std::vector<std::string> ders;
        std::string der;
        soci::statement statement =
            (m_database.session().prepare << "SELECT der_base64 FROM certificate_chain WHERE "
                                             "certificate_id = :id ORDER BY position",
             soci::use(id), soci::into(der));
        statement.execute();
        while (statement.fetch()) {
            ders.push_back(base64_decode(der).value_or(""));
        }
        return ders;
    });
}

Result<std::optional<std::string>> CertificateStore::sealed_private_key(long long id) {
    return guarded("reading a private key", [&]() -> Result<std::optional<std::string>> {
        std::string sealed;
        soci::indicator indicator = soci::i_null;
        m_database.session() << "SELECT sealed_private_key FROM certificates WHERE id = :id",
            soci::use(id), soci::into(sealed, indicator);
        if (!m_database.session().got_data() || indicator != soci::i_ok) {
            return std::optional<std::string>();
        }
        auto raw = base64_decode(sealed);
        if (!raw) {
            return fail(Errc::internal, "the stored private key of certificate " +
                                            std::to_string(id) + " is damaged");
        }
        return std::optional<std::string>(std::move(*raw));
    });
}

Result<bool> CertificateStore::remove(long long id) {
    return guarded("removing a certificate", [&]() -> Result<bool> {
        soci::session& sql = m_database.session();
        Transaction transaction(m_database);
        // Children first: SQLite only cascades with foreign_keys on, so do not rely on it.
        sql << "DELETE FROM certificate_addresses WHERE certificate_id = :id", soci::use(id);
        sql << "DELETE FROM certificate_chain WHERE certificate_id = :id", soci::use(id);
        soci::statement statement =
            (sql.prepare << "DELETE FROM certificates WHERE id = :id", soci::use(id));
        statement.execute(true);
        const bool removed = statement.get_affected_rows() > 0;
        transaction.commit();
        return removed;
    });
}

Result<long long> CertificateStore::count() {
    return guarded("counting certificates", [&]() -> Result<long long> {
        long long n = 0;
        m_database.session() << "SELECT COUNT(*) FROM certificates", soci::into(n);
        return n;
    });
}

}  // namespace casecrypt::store
