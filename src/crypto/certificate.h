// Certificate: an immutable, cheap-to-copy view of one X.509 certificate with the facts the
// product works with (addresses, validity, key, usages), parsed once from its DER.
//
// The DER is kept so crypto operations can rebuild the OpenSSL object when they need it; no
// OpenSSL type appears here, so any module may hold Certificates. Thread-safe as a value.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/error.h"

namespace casecrypt::crypto {

enum class KeyKind { rsa, ec, ed25519, ed448, x25519, x448, dsa, rsa_pss, other };

struct CertificateFacts {
    std::string der;
    std::string subject;  // RFC 4514 order, emailAddress shown as "E="
    std::string issuer;
    std::string serial;              // upper-case hex, as `openssl x509 -serial` prints it
    std::string fingerprint_sha256;  // lower-case hex of SHA-256 over the DER
    TimePoint not_before;
    TimePoint not_after;
    KeyKind key_kind = KeyKind::other;
    int key_bits = 0;
    std::string key_curve;               // "P-256", ... for EC; empty when the curve is not named
    std::string key_algorithm;           // the OpenSSL name, for messages about unusual keys
    std::vector<std::string> addresses;  // lower-cased, deduplicated, DN first then SAN
    bool is_ca = false;
    bool has_key_usage = false;
    bool key_usage_encipherment = false;
    bool key_usage_agreement = false;
    bool has_extended_key_usage = false;
    bool eku_email_protection = false;  // emailProtection or anyExtendedKeyUsage
    bool self_signed = false;
    std::string malformed;  // why the certificate breaks X.509 rules OpenSSL tolerates, or empty
};

class Certificate {
public:
    // Parses one DER certificate. Errc::rejected with a sentence when it is not one.
    static Result<Certificate> from_der(std::string der);

    const std::string& der() const { return m_facts->der; }
    const std::string& subject() const { return m_facts->subject; }
    const std::string& issuer() const { return m_facts->issuer; }
    const std::string& serial() const { return m_facts->serial; }
    const std::string& fingerprint_sha256() const { return m_facts->fingerprint_sha256; }
    TimePoint not_before() const { return m_facts->not_before; }
    TimePoint not_after() const { return m_facts->not_after; }
    const std::vector<std::string>& addresses() const { return m_facts->addresses; }
    const CertificateFacts& facts() const { return *m_facts; }

    // "RSA 2048", "EC P-256", "Ed25519".
    std::string key_description() const;
    // A short name for messages: the first address, else the subject.
    std::string display_name() const;

    bool expired_at(TimePoint now) const { return now > m_facts->not_after; }
    bool not_yet_valid_at(TimePoint now) const { return now < m_facts->not_before; }

private:
    explicit Certificate(std::shared_ptr<const CertificateFacts> facts)
        : m_facts(std::move(facts)) {}

    std::shared_ptr<const CertificateFacts> m_facts;
};

// Lower-cases the ASCII letters of an address; the one normalisation used everywhere.
std::string normalize_address(std::string_view address);

}  // namespace casecrypt::crypto
