// CertificateRecord: a certificate as the store keeps it. Plain values (no OpenSSL): the
// services map crypto::Certificate to and from it. The sealed private key is never part of a
// record; it is read on its own (CertificateStore::sealed_private_key) by the code that
// decrypts, so listings and pages cannot carry it by accident.
#pragma once

#include <string>
#include <vector>

#include "core/clock.h"

namespace casecrypt::store {

// ca: a CA certificate trusted for S/MIME signatures (a trust anchor); it shares the id space of
// the others, so an id names one certificate of one kind.
enum class CertificateKind { server, client, ca };
enum class CertificateSource { file, ldap, harvested };

std::string to_string(CertificateKind kind);
std::string to_string(CertificateSource source);

struct CertificateRecord {
    long long id = 0;
    CertificateKind kind = CertificateKind::client;
    std::string subject;
    std::string issuer;
    std::string serial;
    std::string fingerprint_sha256;
    TimePoint not_before{};
    TimePoint not_after{};
    std::string key_description;
    std::vector<std::string> addresses;
    std::string der;
    bool has_private_key = false;
    CertificateSource source = CertificateSource::file;
    TimePoint created_at{};
    std::string created_by;
};

}  // namespace casecrypt::store
