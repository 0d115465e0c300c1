#include "services/mail_crypto.h"

#include <memory>

#include "core/file_io.h"
#include "crypto/certificate_file.h"
#include "crypto/certificate_policy.h"
#include "crypto/cms_envelope.h"
#include "crypto/pkcs12_identity.h"
#include "services/key_ring.h"
#include "services/properties.h"
#include "services/smime_engine.h"

namespace casecrypt::services {
namespace {

crypto::ContentCipher to_crypto(ContentCipher cipher) {
    switch (cipher) {
        case ContentCipher::aes256_cbc:
            return crypto::ContentCipher::aes256_cbc;
        case ContentCipher::aes128_cbc:
            return crypto::ContentCipher::aes128_cbc;
        case ContentCipher::aes256_gcm:
            return crypto::ContentCipher::aes256_gcm;
    }
    return crypto::ContentCipher::aes256_cbc;
}

crypto::KeyTransport to_crypto(KeyTransport transport) {
    return transport == KeyTransport::rsa_oaep ? crypto::KeyTransport::rsa_oaep
                                               : crypto::KeyTransport::rsa_pkcs1;
}

// The recipients of `bytes`: end-entity certificates that may encrypt now; CA certificates of
// a bundle are skipped.
Result<void> add_recipients(const InputBytes& input, TimePoint now,
                            std::vector<crypto::Certificate>& recipients) {
    auto parsed = crypto::read_certificate_file(input.bytes);
    if (!parsed) {
        return std::unexpected(parsed.error().with_context(input.label));
    }
    for (const auto& certificate : parsed->certificates) {
        if (certificate.facts().is_ca) {
            continue;
        }
        const auto problems = crypto::encryption_problems_at(certificate, now);
        if (!problems.empty()) {
            return fail(Errc::rejected, input.label + ": certificate " +
                                            certificate.display_name() +
                                            " cannot be encrypted to: it " + problems.front());
        }
        recipients.push_back(certificate);
    }
    return {};
}

// A file named in a request that is not there is an I/O error (exit 1 for the CLI), before any
// work is done.
Result<void> must_exist(const std::filesystem::path& path) {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) {
        return fail(Errc::io, "cannot read " + path.string() + ": No such file or directory");
    }
    return {};
}

}  // namespace

std::string to_string(ContentCipher cipher) {
    switch (cipher) {
        case ContentCipher::aes256_cbc:
            return "aes-256-cbc";
        case ContentCipher::aes128_cbc:
            return "aes-128-cbc";
        case ContentCipher::aes256_gcm:
            return "aes-256-gcm";
    }
    return "aes-256-cbc";
}

std::string to_string(KeyTransport transport) {
    return transport == KeyTransport::rsa_oaep ? "rsa-oaep" : "rsa-pkcs1";
}

Result<ContentCipher> parse_content_cipher(const std::string& name) {
    for (auto c :
         {ContentCipher::aes256_cbc, ContentCipher::aes128_cbc, ContentCipher::aes256_gcm}) {
        if (to_string(c) == name) {
            return c;
        }
    }
    return fail(Errc::usage,
                "unknown cipher \"" + name + "\" (known: aes-256-cbc, aes-128-cbc, aes-256-gcm)");
}

Result<KeyTransport> parse_key_transport(const std::string& name) {
    for (auto t : {KeyTransport::rsa_pkcs1, KeyTransport::rsa_oaep}) {
        if (to_string(t) == name) {
            return t;
        }
    }
    return fail(Errc::usage, "unknown key transport \"" + name + "\" (known: rsa-pkcs1, rsa-oaep)");
}

Result<void> MailCrypto::encrypt(const EncryptRequest& request) {
    ContentCipher cipher = ContentCipher::aes256_cbc;
    if (request.cipher) {
        cipher = *request.cipher;
    } else {
        auto name = m_properties.get_value(kCoreModule, kMailEncryptionCipher);
        if (!name)
            return std::unexpected(name.error());
        auto parsed = parse_content_cipher(*name);
        if (!parsed)
            return std::unexpected(parsed.error());
        cipher = *parsed;
    }
    KeyTransport transport = KeyTransport::rsa_pkcs1;
    if (request.key_transport) {
        transport = *request.key_transport;
    } else {
        auto name = m_properties.get_value(kCoreModule, kMailEncryptionKeyTransport);
        if (!name)
            return std::unexpected(name.error());
        auto parsed = parse_key_transport(*name);
        if (!parsed)
            return std::unexpected(parsed.error());
        transport = *parsed;
    }
    const TimePoint now = m_clock.now();
    std::vector<crypto::Certificate> recipients;
    for (const auto& path : request.certificate_files) {
        auto bytes = read_file(path, kMaxCertificateFile);
        if (!bytes)
            return std::unexpected(bytes.error());
        if (auto added = add_recipients({path.string(), std::move(*bytes)}, now, recipients);
            !added)
            return added;
    }
    for (const auto& input : request.certificates) {
        if (auto added = add_recipients(input, now, recipients); !added)
            return added;
    }
    if (recipients.empty()) {
        return fail(Errc::rejected, "no usable recipient certificate in the files given");
    }
    if (auto there = must_exist(request.in); !there)
        return there;
    SmimeEngine engine(m_work_dir);
    return engine.encrypt(request.in, recipients, {to_crypto(cipher), to_crypto(transport)},
                          request.out);
}

Result<DecryptReport> MailCrypto::decrypt(const DecryptRequest& request) {
    std::vector<crypto::DecryptionIdentity> identities;
    if (request.pkcs12) {
        auto identity = crypto::open_pkcs12(request.pkcs12->bytes, request.password,
                                            /*require_address=*/false);
        if (!identity)
            return std::unexpected(identity.error().with_context(request.pkcs12->label));
        auto key = std::make_shared<Secret>(std::move(identity->private_key_pkcs8));
        identities.push_back({identity->certificate, [key]() -> Result<Secret> { return *key; }});
    } else {
        auto stored = m_keys.decryption_identities();
        if (!stored)
            return std::unexpected(stored.error());
        identities = std::move(*stored);
    }
    auto anchors = m_keys.trust_anchors();
    if (!anchors)
        return std::unexpected(anchors.error());
    if (auto there = must_exist(request.in); !there)
        return std::unexpected(there.error());
    SmimeEngine engine(m_work_dir,
                       {.max_message_bytes = request.max_message_bytes, .max_layers = 4});
    return engine.decrypt(request.in, identities, *anchors, request.out);
}

}  // namespace casecrypt::services
