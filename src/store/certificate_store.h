// CertificateStore: server and client certificates with their addresses, chains and (for
// server certificates) sealed private keys. A certificate is unique per kind by its SHA-256
// fingerprint. Every write is one transaction: a failed import leaves the store unchanged.
// Not thread-safe (it uses its Database's connection).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/error.h"
#include "store/certificate_record.h"
#include "store/database.h"

namespace casecrypt::store {

class CertificateStore {
public:
    explicit CertificateStore(Database& database) : m_database(database) {}

    // Inserts the record (its id is ignored) with its chain and, for server certificates, the
    // sealed private key. Returns the new id.
    Result<long long> insert(const CertificateRecord& record, const std::vector<std::string>& chain,
                             const std::optional<std::string>& sealed_private_key);

    Result<std::optional<CertificateRecord>> get(long long id);
    Result<std::optional<CertificateRecord>> find_by_fingerprint(CertificateKind kind,
                                                                 const std::string& fingerprint);
    // All certificates, optionally of one kind, ordered by id.
    Result<std::vector<CertificateRecord>> list(std::optional<CertificateKind> kind = {});
    // Certificates carrying the (normalised) address, of one kind.
    Result<std::vector<CertificateRecord>> find_by_address(CertificateKind kind,
                                                           const std::string& address);
    Result<std::vector<std::string>> chain(long long id);
    // The sealed private key of a server certificate, for the decrypting code only.
    Result<std::optional<std::string>> sealed_private_key(long long id);
    // False when there was no such certificate.
    Result<bool> remove(long long id);
    Result<long long> count();

private:
    Result<std::vector<CertificateRecord>> query(const std::string& where, const std::string& a,
                                                 const std::string& b);

    Database& m_database;
};

}  // namespace casecrypt::store
