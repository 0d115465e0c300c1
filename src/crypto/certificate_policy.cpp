#include "crypto/certificate_policy.h"

#include "core/iso_time.h"

namespace casecrypt::crypto {

std::vector<std::string> encryption_problems(const Certificate& certificate) {
    const CertificateFacts& f = certificate.facts();
    std::vector<std::string> problems;
    if (!f.malformed.empty()) {
        problems.push_back("is malformed: it " + f.malformed);
    }
    if (f.addresses.empty()) {
        problems.push_back(
            "carries no email address (neither emailAddress in the subject nor an rfc822Name "
            "in subjectAltName)");
    }
    switch (f.key_kind) {
        case KeyKind::rsa:
            if (f.key_bits < kMinimumRsaBits) {
                problems.push_back("has an RSA key of " + std::to_string(f.key_bits) +
                                   " bits, which is too short (at least " +
                                   std::to_string(kMinimumRsaBits) + " are required)");
            }
            if (f.has_key_usage && !f.key_usage_encipherment) {
                problems.push_back(
                    "has a keyUsage that does not allow keyEncipherment, which RSA "
                    "encryption needs");
            }
            break;
        case KeyKind::ec:
            if (f.key_curve.empty()) {
                problems.push_back(
                    "has an EC key with explicit curve parameters, which cannot encrypt "
                    "(RFC 5480 requires a named curve)");
            }
            if (f.has_key_usage && !f.key_usage_agreement) {
                problems.push_back(
                    "has a keyUsage that does not allow keyAgreement, which EC encryption "
                    "(ECDH, RFC 5753) needs");
            }
            break;
        case KeyKind::ed25519:
        case KeyKind::ed448:
        case KeyKind::dsa:
        case KeyKind::rsa_pss:
            problems.push_back("has a " + certificate.key_description() +
                               " key, which can only sign and cannot encrypt");
            break;
        case KeyKind::x25519:
        case KeyKind::x448:
            problems.push_back("has a " + certificate.key_description() +
                               " key; this system cannot encrypt to it (OpenSSL 3.0 has no "
                               "X25519/X448 key agreement for CMS)");
            break;
        case KeyKind::other:
            problems.push_back("has a " + f.key_algorithm + " key, which cannot encrypt");
            break;
    }
    if (f.has_extended_key_usage && !f.eku_email_protection) {
        problems.push_back(
            "has an extendedKeyUsage that does not include emailProtection (nor "
            "anyExtendedKeyUsage)");
    }
    return problems;
}

std::vector<std::string> encryption_problems_at(const Certificate& certificate, TimePoint now) {
    auto problems = encryption_problems(certificate);
    const Validity validity = validity_at(certificate, now);
    if (validity != Validity::valid) {
        problems.push_back(validity_sentence(certificate, validity));
    }
    return problems;
}

Validity validity_at(const Certificate& certificate, TimePoint now) {
    if (certificate.not_yet_valid_at(now)) {
        return Validity::not_yet_valid;
    }
    if (certificate.expired_at(now)) {
        return Validity::expired;
    }
    return Validity::valid;
}

std::string to_string(Validity validity) {
    switch (validity) {
        case Validity::valid:
            return "valid";
        case Validity::expired:
            return "expired";
        case Validity::not_yet_valid:
            return "not_yet_valid";
    }
    return "valid";
}

std::string validity_sentence(const Certificate& certificate, Validity validity) {
    const std::string window = "valid from " + to_iso8601(certificate.not_before()) + " to " +
                               to_iso8601(certificate.not_after());
    switch (validity) {
        case Validity::expired:
            return "expired on " + to_date(certificate.not_after()) + " (" + window + ")";
        case Validity::not_yet_valid:
            return "is not valid before " + to_date(certificate.not_before()) + " (" + window + ")";
        case Validity::valid:
            break;
    }
    return window;
}

}  // namespace casecrypt::crypto
