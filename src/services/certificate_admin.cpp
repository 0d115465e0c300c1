#include "services/certificate_admin.h"

#include "core/file_io.h"
#include "core/log.h"
#include "core/text.h"
#include "crypto/certificate_file.h"
#include "crypto/certificate_policy.h"
#include "crypto/pkcs12_identity.h"

namespace casecrypt::services {
namespace {

using crypto::Certificate;
using store::CertificateKind;
using store::CertificateRecord;

// Certificate files are small; anything bigger than this is not one.
constexpr std::size_t kMaxCertificateFile = 16 * 1024 * 1024;

CertificateRecord to_record(const Certificate& c, CertificateKind kind,
                            store::CertificateSource source, TimePoint now,
                            const std::string& actor) {
    return CertificateRecord{.id = 0,
                             .kind = kind,
                             .subject = c.subject(),
                             .issuer = c.issuer(),
                             .serial = c.serial(),
                             .fingerprint_sha256 = c.fingerprint_sha256(),
                             .not_before = c.not_before(),
                             .not_after = c.not_after(),
                             .key_description = c.key_description(),
                             .addresses = c.addresses(),
                             .der = c.der(),
                             .has_private_key = kind == CertificateKind::server,
                             .source = source,
                             .created_at = now,
                             .created_by = actor};
}

std::string describe(const Certificate& c) {
    return "certificate " + c.display_name();
}

// Why a recipient's certificate cannot be imported, or nothing. Dates count for clients.
std::vector<std::string> client_problems(const Certificate& c, TimePoint now) {
    if (c.facts().is_ca) {
        return {
            "is a CA certificate (it issues certificates); import the recipient's own "
            "certificate instead"};
    }
    return crypto::encryption_problems_at(c, now);
}

}  // namespace

std::string certificate_status(const store::CertificateRecord& record, TimePoint now) {
    if (now < record.not_before) {
        return "not_yet_valid";
    }
    return now > record.not_after ? "expired" : "valid";
}

Result<ImportItem> CertificateAdmin::store_certificate(const CertificateRecord& record,
                                                       const std::vector<std::string>& chain,
                                                       const std::optional<std::string>& sealed_key,
                                                       const std::string& actor) {
    auto existing = m_store.find_by_fingerprint(record.kind, record.fingerprint_sha256);
    if (!existing) {
        return std::unexpected(existing.error());
    }
    if (*existing) {
        return ImportItem{.outcome = ImportOutcome::already_present,
                          .certificate = **existing,
                          .note = "already in the store (id " + std::to_string((*existing)->id) +
                                  "); nothing changed"};
    }
    auto id = m_store.insert(record, chain, sealed_key);
    if (!id) {
        // Another process may have imported the same certificate since we looked.
        auto raced = m_store.find_by_fingerprint(record.kind, record.fingerprint_sha256);
        if (raced && *raced) {
            return ImportItem{.outcome = ImportOutcome::already_present,
                              .certificate = **raced,
                              .note = "already in the store (id " + std::to_string((*raced)->id) +
                                      "); nothing changed"};
        }
        return std::unexpected(id.error());
    }
    CertificateRecord stored = record;
    stored.id = *id;
    const std::string action = record.kind == CertificateKind::server ? "certificate.import_server"
                                                                      : "certificate.import_client";
    if (auto audited =
            m_audit.record(m_clock.now(), actor, action,
                           "id " + std::to_string(*id) + " " + join(record.addresses, ",") +
                               " sha256 " + record.fingerprint_sha256);
        !audited) {
        return std::unexpected(audited.error());
    }
    spdlog::info("imported {} certificate id {} for {} (sha256 {})", to_string(record.kind), *id,
                 join(record.addresses, ","), record.fingerprint_sha256);
    return ImportItem{.outcome = ImportOutcome::imported, .certificate = stored, .note = {}};
}

Result<ImportReport> CertificateAdmin::import_client(const std::filesystem::path& file,
                                                     const std::string& actor) {
    auto bytes = read_file(file, kMaxCertificateFile);
    if (!bytes) {
        return std::unexpected(Error(Errc::rejected, bytes.error().message()));
    }
    return import_client_bytes(*bytes, file.string(), store::CertificateSource::file, actor);
}

Result<ImportReport> CertificateAdmin::import_client_bytes(std::string_view bytes,
                                                           const std::string& label,
                                                           store::CertificateSource source,
                                                           const std::string& actor) {
    auto parsed = crypto::read_certificate_file(bytes);
    if (!parsed) {
        return std::unexpected(parsed.error().with_context(label));
    }
    const TimePoint now = m_clock.now();
    ImportReport report;
    if (parsed->had_private_key) {
        report.warnings.push_back(
            "the file also contains a private key; it was ignored (recipients' certificates are "
            "public; our own identities are imported with `cert import-server`)");
    }
    const bool single = parsed->certificates.size() == 1;
    std::vector<std::string> reasons;
    for (const Certificate& certificate : parsed->certificates) {
        auto record = to_record(certificate, CertificateKind::client, source, now, actor);
        const auto problems = client_problems(certificate, now);
        if (!problems.empty()) {
            const std::string reason = describe(certificate) + " " + join(problems, "; it ");
            reasons.push_back(reason);
            report.items.push_back(ImportItem{
                .outcome = ImportOutcome::skipped, .certificate = record, .note = reason});
            continue;
        }
        auto item = store_certificate(record, {}, std::nullopt, actor);
        if (!item) {
            return std::unexpected(item.error());
        }
        report.items.push_back(std::move(*item));
    }
    const bool any_usable =
        std::any_of(report.items.begin(), report.items.end(),
                    [](const auto& i) { return i.outcome != ImportOutcome::skipped; });
    if (!any_usable) {
        return fail(Errc::rejected, label + ": " +
                                        (single ? reasons.front()
                                                : "no usable end-entity certificate among " +
                                                      std::to_string(parsed->certificates.size()) +
                                                      ": " + join(reasons, "; ")) +
                                        "; nothing was imported");
    }
    return report;
}

Result<ImportReport> CertificateAdmin::import_server(const std::filesystem::path& file,
                                                     const Secret& password,
                                                     const std::string& actor) {
    auto bytes = read_file(file, kMaxCertificateFile);
    if (!bytes) {
        return std::unexpected(Error(Errc::rejected, bytes.error().message()));
    }
    const std::string label = file.string();
    auto identity = crypto::open_pkcs12(*bytes, password);
    if (!identity) {
        return std::unexpected(identity.error().with_context(label));
    }
    const Certificate& certificate = identity->certificate;
    const TimePoint now = m_clock.now();
    ImportReport report;
    if (!identity->integrity_checked) {
        report.warnings.push_back(
            label +
            " has no integrity check (it was exported without a MAC), so nothing shows "
            "it was not altered since; it was opened with the password");
    }
    auto problems = crypto::encryption_problems(certificate);
    const auto validity = crypto::validity_at(certificate, now);
    if (validity == crypto::Validity::not_yet_valid) {
        problems.push_back(crypto::validity_sentence(certificate, validity));
    }
    if (!problems.empty()) {
        return fail(Errc::rejected, label + ": " + describe(certificate) + " " +
                                        join(problems, "; it ") + "; nothing was imported");
    }
    std::string note;
    if (validity == crypto::Validity::expired) {
        note = describe(certificate) + " " + crypto::validity_sentence(certificate, validity) +
               ": it is imported so mail encrypted to it while it was valid can still be "
               "decrypted, and it will never be used to encrypt";
    }
    auto sealed = m_vault.seal(identity->private_key_pkcs8, certificate.fingerprint_sha256());
    identity->private_key_pkcs8.wipe();
    if (!sealed) {
        return std::unexpected(sealed.error());
    }
    std::vector<std::string> chain;
    for (const Certificate& c : identity->chain) {
        chain.push_back(c.der());
    }
    auto record =
        to_record(certificate, CertificateKind::server, store::CertificateSource::file, now, actor);
    auto item = store_certificate(record, chain, *sealed, actor);
    if (!item) {
        return std::unexpected(item.error());
    }
    if (!note.empty()) {
        item->note = item->note.empty() ? note : item->note + "; " + note;
    }
    report.items.push_back(std::move(*item));
    return report;
}

Result<std::vector<CertificateRecord>> CertificateAdmin::list(std::optional<CertificateKind> kind) {
    return m_store.list(kind);
}

Result<CertificateRecord> CertificateAdmin::show(long long id) {
    auto found = m_store.get(id);
    if (!found) {
        return std::unexpected(found.error());
    }
    if (!*found) {
        return fail(Errc::not_found, "no certificate with id " + std::to_string(id) +
                                         " (`cert list` shows the ids)");
    }
    return std::move(**found);
}

Result<std::vector<CertificateRecord>> CertificateAdmin::chain(long long id) {
    auto ders = m_store.chain(id);
    if (!ders) {
        return std::unexpected(ders.error());
    }
    std::vector<CertificateRecord> out;
    for (auto& der : *ders) {
        if (auto c = Certificate::from_der(der)) {
            out.push_back(to_record(*c, CertificateKind::client, store::CertificateSource::file,
                                    TimePoint{}, {}));
        }
    }
    return out;
}

Result<ImportReport> CertificateAdmin::import_ca(const std::filesystem::path& file,
                                                 const std::string& actor) {
    auto bytes = read_file(file, kMaxCertificateFile);
    if (!bytes) {
        return std::unexpected(Error(Errc::rejected, bytes.error().message()));
    }
    auto parsed = crypto::read_certificate_file(*bytes);
    if (!parsed) {
        return std::unexpected(parsed.error().with_context(file.string()));
    }
    ImportReport report;
    bool any = false;
    for (const Certificate& c : parsed->certificates) {
        auto record = to_record(c, CertificateKind::client, store::CertificateSource::file,
                                m_clock.now(), actor);
        if (!c.facts().is_ca && !c.facts().self_signed) {
            report.items.push_back({ImportOutcome::skipped, record,
                                    "certificate " + c.subject() +
                                        " is not a CA certificate; it cannot be a trust anchor"});
            continue;
        }
        bool present = false;
        auto id = m_anchors.insert({.id = 0,
                                    .subject = c.subject(),
                                    .fingerprint_sha256 = c.fingerprint_sha256(),
                                    .not_after = c.not_after(),
                                    .der = c.der(),
                                    .created_at = m_clock.now(),
                                    .created_by = actor},
                                   present);
        if (!id) {
            return std::unexpected(id.error());
        }
        record.id = *id;
        any = true;
        if (!present) {
            if (auto audited = m_audit.record(m_clock.now(), actor, "certificate.import_ca",
                                              "id " + std::to_string(*id) + " " + c.subject() +
                                                  " sha256 " + c.fingerprint_sha256());
                !audited) {
                return std::unexpected(audited.error());
            }
        }
        report.items.push_back({present ? ImportOutcome::already_present : ImportOutcome::imported,
                                record, present ? "already trusted; nothing changed" : ""});
    }
    if (!any) {
        return fail(Errc::rejected,
                    file.string() + ": contains no CA certificate; nothing was imported");
    }
    return report;
}

Result<crypto::TrustAnchors> CertificateAdmin::trust_anchors() {
    auto records = m_anchors.list();
    if (!records) {
        return std::unexpected(records.error());
    }
    crypto::TrustAnchors anchors;
    for (const auto& r : *records) {
        if (auto c = Certificate::from_der(r.der)) {
            anchors.extra.push_back(std::move(*c));
        }
    }
    // Recipients' certificates may be the signer of a message that does not carry it.
    auto clients = m_store.list(CertificateKind::client);
    if (!clients) {
        return std::unexpected(clients.error());
    }
    for (const auto& r : *clients) {
        if (auto c = Certificate::from_der(r.der)) {
            anchors.known_signers.push_back(std::move(*c));
        }
    }
    return anchors;
}

Result<std::vector<crypto::DecryptionIdentity>> CertificateAdmin::decryption_identities() {
    auto servers = m_store.list(CertificateKind::server);
    if (!servers) {
        return std::unexpected(servers.error());
    }
    std::vector<crypto::DecryptionIdentity> identities;
    for (const auto& record : *servers) {
        auto certificate = Certificate::from_der(record.der);
        if (!certificate || !record.has_private_key) {
            continue;
        }
        const long long id = record.id;
        const std::string fingerprint = record.fingerprint_sha256;
        identities.push_back({std::move(*certificate), [this, id, fingerprint]() -> Result<Secret> {
                                  auto sealed = m_store.sealed_private_key(id);
                                  if (!sealed) {
                                      return std::unexpected(sealed.error());
                                  }
                                  if (!*sealed) {
                                      return fail(Errc::internal, "server certificate " +
                                                                      std::to_string(id) +
                                                                      " has no private key");
                                  }
                                  return m_vault.unseal(**sealed, fingerprint);
                              }});
    }
    return identities;
}

Result<CertificateRecord> CertificateAdmin::remove(long long id, const std::string& actor) {
    auto record = show(id);
    if (!record) {
        return record;
    }
    auto removed = m_store.remove(id);
    if (!removed) {
        return std::unexpected(removed.error());
    }
    if (auto audited =
            m_audit.record(m_clock.now(), actor, "certificate.remove",
                           "id " + std::to_string(id) + " " + join(record->addresses, ",") +
                               " sha256 " + record->fingerprint_sha256);
        !audited) {
        return std::unexpected(audited.error());
    }
    return record;
}

}  // namespace casecrypt::services
