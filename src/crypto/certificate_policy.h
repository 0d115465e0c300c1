// Whether a certificate may be used for S/MIME encryption (RFC 8551 section 4.4), and its
// validity at a given time. These are the import rules; issue 4's certificate resolver applies
// the same ones, so a certificate is eligible or not for one reason only. Pure; thread-safe.
#pragma once

#include <string>
#include <vector>

#include "core/clock.h"
#include "crypto/certificate.h"

namespace casecrypt::crypto {

// The minimum RSA modulus accepted for encryption.
inline constexpr int kMinimumRsaBits = 2048;

// Every reason this certificate cannot take part in S/MIME encryption, ignoring dates:
// no email address, a key type that cannot encrypt, RSA too short, keyUsage without
// keyEncipherment (RSA) or keyAgreement (EC), extendedKeyUsage without emailProtection.
// Empty when it can.
std::vector<std::string> encryption_problems(const Certificate& certificate);

enum class Validity { valid, expired, not_yet_valid };

// encryption_problems() plus, when the certificate is not valid at `now`, why (with its dates):
// everything that keeps a certificate from encrypting mail now.
std::vector<std::string> encryption_problems_at(const Certificate& certificate, TimePoint now);

Validity validity_at(const Certificate& certificate, TimePoint now);

// "valid", "expired", "not_yet_valid": the words of `cert list --json`.
std::string to_string(Validity validity);

// "expired on 2020-01-01 (valid from 2019-01-01 to 2020-01-01)" and the like.
std::string validity_sentence(const Certificate& certificate, Validity validity);

}  // namespace casecrypt::crypto
