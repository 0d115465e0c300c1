// libFuzzer target for `casecrypt mail decrypt`: the input is an incoming message, decrypted
// (and its signatures unwrapped) by services::SmimeEngine::decrypt with one server identity.
//
// The identity is a PKCS #12 named by CASECRYPT_FUZZ_P12 with its password in the file named by
// CASECRYPT_FUZZ_P12_PASS (one trailing newline is ignored, as `--password-file` does), so
// seeds encrypted to it really reach CMS decryption and everything after it. CASECRYPT_FUZZ_CA
// optionally names a PEM/DER file of trust anchors (the fixtures' CA), so signed seeds reach the
// "trusted" paths; the system store is never read (it would cost milliseconds per input).
// scripts/fuzz.sh sets all three from tests/data/make-fixtures.sh output.
//
// Each input is written to a file in a fresh ScratchDir under CASECRYPT_FUZZ_WORK (default: a
// private directory in /dev/shm, else the temp directory) and removed afterwards. Besides the
// sanitizers, one property is checked: when decrypt returns, the engine's work directory is
// empty again, because plaintext may only live in a ScratchDir while an operation runs.
// Single-threaded, as libFuzzer runs it.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <system_error>
#include <vector>

#include "core/error.h"
#include "core/file_io.h"
#include "core/scratch_dir.h"
#include "core/secret.h"
#include "crypto/certificate_file.h"
#include "crypto/cms_envelope.h"
#include "crypto/openssl_error.h"
#include "crypto/pkcs12_identity.h"
#include "crypto/signature_verifier.h"
#include "fuzz_support.h"
#include "services/smime_engine.h"

namespace {

using namespace casecrypt;

struct Setup {
    std::vector<crypto::DecryptionIdentity> identities;
    crypto::TrustAnchors anchors;
    services::EngineLimits limits;
};

Setup* g_setup = nullptr;

Secret strip_newline(std::string text) {
    if (!text.empty() && text.back() == '\n') {
        text.pop_back();
        if (!text.empty() && text.back() == '\r') {
            text.pop_back();
        }
    }
    return Secret(std::move(text));
}

void load_identity(Setup& setup) {
    const char* p12_path = std::getenv("CASECRYPT_FUZZ_P12");
    if (p12_path == nullptr || *p12_path == '\0') {
        std::fprintf(stderr,
                     "fuzz_mail_decrypt: CASECRYPT_FUZZ_P12 is not set: running without an "
                     "identity, so no input gets past \"no key for any recipient\"\n");
        return;
    }
    Secret password;
    if (const char* pass_path = std::getenv("CASECRYPT_FUZZ_P12_PASS"); pass_path && *pass_path) {
        auto text = read_file(pass_path, 64 * 1024);
        if (!text)
            fuzz::die("CASECRYPT_FUZZ_P12_PASS: " + text.error().message());
        password = strip_newline(std::move(*text));
    }
    auto bytes = read_file(p12_path, 16 * 1024 * 1024);
    if (!bytes)
        fuzz::die("CASECRYPT_FUZZ_P12: " + bytes.error().message());
    auto identity = crypto::open_pkcs12(*bytes, password);
    if (!identity)
        fuzz::die(std::string(p12_path) + ": " + identity.error().message());
    // The same shape as `mail decrypt --p12`: the key is handed out only when asked for.
    auto key = std::make_shared<Secret>(std::move(identity->private_key_pkcs8));
    setup.identities.push_back({identity->certificate, [key]() -> Result<Secret> { return *key; }});
    std::fprintf(stderr, "fuzz_mail_decrypt: identity %s (sha256 %.16s...)\n",
                 identity->certificate.display_name().c_str(),
                 identity->certificate.fingerprint_sha256().c_str());
}

void load_anchors(Setup& setup) {
    setup.anchors.use_system_store = false;
    const char* ca_path = std::getenv("CASECRYPT_FUZZ_CA");
    if (ca_path == nullptr || *ca_path == '\0') {
        return;
    }
    auto bytes = read_file(ca_path, 16 * 1024 * 1024);
    if (!bytes)
        fuzz::die("CASECRYPT_FUZZ_CA: " + bytes.error().message());
    auto file = crypto::read_certificate_file(*bytes);
    if (!file)
        fuzz::die(std::string(ca_path) + ": " + file.error().message());
    setup.anchors.extra = file->certificates;
}

// True when `dir` is missing (decrypt failed before making its ScratchDir) or empty.
bool is_empty_directory(const std::filesystem::path& dir) {
    std::error_code ec;
    if (!std::filesystem::exists(dir, ec)) {
        return true;
    }
    return std::filesystem::is_empty(dir, ec) && !ec;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
    if (auto ready = crypto::init_openssl(); !ready) {
        fuzz::die("init_openssl: " + ready.error().message());
    }
    fuzz::make_work_root("fuzz_mail_decrypt");
    static Setup setup;
    load_identity(setup);
    load_anchors(setup);
    // Small limits: a large input only costs time, the code paths are the same.
    setup.limits.max_message_bytes = 4u * 1024 * 1024;
    setup.limits.max_layers = 4;
    g_setup = &setup;
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    auto scratch = ScratchDir::create(fuzz::work_root());
    if (!scratch)
        fuzz::die(scratch.error().message());
    const auto message = scratch->file("message");
    {
        std::ofstream file(message, std::ios::binary | std::ios::trunc);
        file.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
        if (!file.flush())
            fuzz::die("cannot write " + message.string());
    }
    const auto engine_dir = scratch->path() / "engine";
    const auto out = scratch->file("out");
    {
        services::SmimeEngine engine(engine_dir, g_setup->limits);
        auto report = engine.decrypt(message, g_setup->identities, g_setup->anchors, out);
        if (report) {
            // Touch what the edges print, so a report that refers to freed or bogus data shows.
            std::size_t sum = report->subject.size() + report->content_cipher.size() +
                              report->certificate_sha256.size() + report->parts.size();
            if (report->text)
                sum += report->text->size();
            if (report->signature)
                sum += report->signature->signer.size();
            for (const auto& part : report->parts) {
                sum += part.content_type.size() + part.error.size();
                if (part.text)
                    sum += part.text->size();
            }
            fuzz::keep(sum);
        }
    }
    if (!is_empty_directory(engine_dir)) {
        fuzz::die("SmimeEngine::decrypt left files in its work directory " + engine_dir.string() +
                  " (plaintext must only live in a ScratchDir while an operation runs)");
    }
    return 0;
}
