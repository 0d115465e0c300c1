// libFuzzer target for certificate import (`cert import-client`, `cert import-server`): the
// input is the file an administrator hands us. It goes through what both imports do before the
// store: crypto::read_certificate_file and crypto::is_pkcs12, then crypto::encryption_problems and
// the validity checks on every certificate found; and crypto::open_pkcs12 with two fixed
// passwords, the empty one and "fuzz" (scripts/fuzz.sh adds seeds exported with "fuzz", so the
// mutations of MAC-protected files get past the MAC to the bags).
//
// Besides the sanitizers, one property is checked: every certificate we return re-parses from
// its own DER to the same fingerprint. "Now" is fixed, so a crash reproduces on any day.
// Single-threaded, as libFuzzer runs it.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/secret.h"
#include "crypto/certificate.h"
#include "crypto/certificate_file.h"
#include "crypto/certificate_policy.h"
#include "crypto/openssl_error.h"
#include "crypto/pkcs12_identity.h"
#include "fuzz_support.h"

namespace {

using namespace casecrypt;

// 2026-01-01T00:00:00Z.
constexpr TimePoint kNow{std::chrono::seconds{1767225600}};

// What an import does with one certificate before deciding, plus the round trip.
std::size_t examine(const crypto::Certificate& certificate) {
    std::size_t sum = 0;
    for (const auto& problem : crypto::encryption_problems(certificate)) {
        sum += problem.size();
    }
    const crypto::Validity validity = crypto::validity_at(certificate, kNow);
    sum += crypto::to_string(validity).size();
    sum += crypto::validity_sentence(certificate, validity).size();
    sum += certificate.key_description().size() + certificate.display_name().size();
    sum += certificate.subject().size() + certificate.issuer().size() + certificate.serial().size();
    for (const auto& address : certificate.addresses()) {
        sum += address.size();
    }
    auto again = crypto::Certificate::from_der(certificate.der());
    if (!again) {
        fuzz::die("a certificate we returned does not re-parse from its own DER: " +
                  again.error().message());
    }
    if (again->fingerprint_sha256() != certificate.fingerprint_sha256()) {
        fuzz::die("a certificate re-parsed from its own DER has another fingerprint");
    }
    return sum;
}

std::size_t open_with(std::string_view bytes, const Secret& password) {
    auto identity = crypto::open_pkcs12(bytes, password);
    if (!identity) {
        return identity.error().message().size();
    }
    std::size_t sum = examine(identity->certificate) + identity->private_key_pkcs8.size();
    for (const auto& certificate : identity->chain) {
        sum += examine(certificate);
    }
    return sum;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
    // The legacy provider, as the product loads it: RC2-40/3DES files must reach their bags.
    if (auto ready = crypto::init_openssl(); !ready) {
        fuzz::die("init_openssl: " + ready.error().message());
    }
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);
    std::size_t sum = 0;

    // cert import-client
    auto file = crypto::read_certificate_file(bytes);
    sum += crypto::is_pkcs12(bytes) ? 1 : 0;
    if (file) {
        sum += file->had_private_key ? 1 : 0;
        for (const auto& certificate : file->certificates) {
            sum += examine(certificate);
        }
    } else {
        sum += file.error().message().size();
    }

    // cert import-server, with no password and with the seeds' password.
    static const Secret kEmpty;
    static const Secret kFuzz(std::string("fuzz"));
    sum += open_with(bytes, kEmpty);
    sum += open_with(bytes, kFuzz);

    fuzz::keep(sum);
    return 0;
}
