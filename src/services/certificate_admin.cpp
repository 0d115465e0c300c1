#include "services/certificate_admin.h"

#include <algorithm>

#include "core/file_io.h"
#include "core/log.h"
#include "core/text.h"
#include "crypto/certificate_file.h"
#include "crypto/certificate_policy.h"
#include "crypto/key_vault.h"
#include "crypto/pkcs12_identity.h"
#include "services/certificate_records.h"
#include "services/key_ring.h"
#include "store/audit_log.h"
#include "store/certificate_store.h"

namespace casecrypt::services {
namespace {

using crypto::Certificate;
using store::CertificateRecord;

CertificateRecord to_record(const Certificate& c, store::CertificateKind kind,
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
                             // A CA never encrypts: it is found by id, never by address.
                             .addresses = kind == store::CertificateKind::ca
                                              ? std::vector<std::string>{}
                                              : c.addresses(),
                             .der = c.der(),
                             .has_private_key = kind == store::CertificateKind::server,
                             .source = source,
                             .created_at = now,
                             .created_by = actor};
}

std::string describe(const Certificate& c) {
    return "certificate " + c.display_name();
}

std::string audit_action(store::CertificateKind kind) {
    switch (kind) {
        case store::CertificateKind::server:
            return "certificate.import_server";
        case store::CertificateKind::ca:
            return "certificate.import_ca";
        case store::CertificateKind::client:
            break;
    }
    return "certificate.import_client";
}

Result<std::string> read_input(const std::filesystem::path& file) {
    return read_file(file, CertificateAdmin::kMaxCertificateFile);
}

}  // namespace

CertificateAdmin::CertificateAdmin(store::CertificateStore& store, store::AuditLog& audit,
                                   const crypto::KeyVault& vault, const Clock& clock)
    : m_store(store),
      m_audit(audit),
      m_vault(vault),
      m_clock(clock),
      m_key_ring(std::make_unique<KeyRing>(store, vault)) {}

CertificateAdmin::~CertificateAdmin() = default;
CertificateAdmin::CertificateAdmin(CertificateAdmin&&) noexcept = default;

Result<std::optional<ImportItem>> CertificateAdmin::already_stored(
    const CertificateRecord& record) {
    const TimePoint now = m_clock.now();
    auto existing = m_store.find_by_fingerprint(record.kind, record.fingerprint_sha256);
    if (!existing) {
        return std::unexpected(existing.error());
    }
    if (*existing) {
        return ImportItem{.outcome = ImportOutcome::already_present,
                          .certificate = to_view(**existing, now),
                          .note = "already in the store (id " + std::to_string((*existing)->id) +
                                  "); nothing changed",
                          .reason = ImportNote::same_kind_present};
    }
    if (record.kind != store::CertificateKind::client) {
        return std::optional<ImportItem>();
    }
    // One of our own identities offered as a recipient's certificate: the resolver finds it
    // as a server certificate already, and a second entry would only confuse a removal.
    auto own =
        m_store.find_by_fingerprint(store::CertificateKind::server, record.fingerprint_sha256);
    if (!own) {
        return std::unexpected(own.error());
    }
    if (*own) {
        return ImportItem{.outcome = ImportOutcome::already_present,
                          .certificate = to_view(**own, now),
                          .note = "already in the store as server certificate " +
                                  std::to_string((*own)->id) +
                                  " (one of our own identities, which also encrypts mail to "
                                  "its addresses); it was not added as a client certificate",
                          .reason = ImportNote::own_server_identity};
    }
    return std::optional<ImportItem>();
}

Result<ImportItem> CertificateAdmin::store_certificate(const CertificateRecord& record,
                                                       const std::vector<std::string>& chain,
                                                       const std::optional<std::string>& sealed_key,
                                                       const std::string& actor) {
    auto present = already_stored(record);
    if (!present) {
        return std::unexpected(present.error());
    }
    if (*present) {
        return std::move(**present);
    }
    auto id = m_store.insert(record, chain, sealed_key);
    if (!id) {
        // Another process may have imported the same certificate since we looked.
        if (auto raced = already_stored(record); raced && *raced) {
            return std::move(**raced);
        }
        return std::unexpected(id.error());
    }
    CertificateRecord stored = record;
    stored.id = *id;
    const std::string what =
        record.kind == store::CertificateKind::ca ? record.subject : join(record.addresses, ",");
    if (auto audited = m_audit.record(
            m_clock.now(), actor, audit_action(record.kind),
            "id " + std::to_string(*id) + " " + what + " sha256 " + record.fingerprint_sha256);
        !audited) {
        return std::unexpected(audited.error());
    }
    spdlog::info("imported {} certificate id {} for {} (sha256 {})", to_string(record.kind), *id,
                 what, record.fingerprint_sha256);
    return ImportItem{.outcome = ImportOutcome::imported,
                      .certificate = to_view(stored, m_clock.now()),
                      .note = {},
                      .reason = ImportNote::none};
}

Result<ImportReport> CertificateAdmin::import_client(const std::filesystem::path& file,
                                                     const std::string& actor,
                                                     ImportReport* refused) {
    auto bytes = read_input(file);
    if (!bytes) {
        return std::unexpected(bytes.error());
    }
    return import_client_bytes(*bytes, file.string(), actor, CertificateSource::file, refused);
}

Result<ImportReport> CertificateAdmin::import_client_bytes(std::string_view bytes,
                                                           const std::string& label,
                                                           const std::string& actor,
                                                           CertificateSource source,
                                                           ImportReport* refused) {
    auto parsed = crypto::read_certificate_file(bytes);
    if (!parsed) {
        return std::unexpected(parsed.error().with_context(label));
    }
    const TimePoint now = m_clock.now();
    ImportReport report;
    if (parsed->had_private_key) {
        report.warnings.push_back(
            "the file also contains a private key; it was ignored (recipients' certificates are "
            "public; our own identities are imported as server certificates, from PKCS #12)");
    }
    const bool single = parsed->certificates.size() == 1;
    std::vector<std::string> reasons;
    for (const Certificate& certificate : parsed->certificates) {
        auto record =
            to_record(certificate, store::CertificateKind::client, to_store(source), now, actor);
        std::vector<std::string> problems;
        ImportNote reason = ImportNote::unusable;
        if (certificate.facts().is_ca) {
            problems = {
                "is a CA certificate (it issues certificates): import it as a trust anchor, or "
                "import the recipient's own certificate instead"};
            reason = ImportNote::ca_certificate;
        } else {
            problems = crypto::encryption_problems_at(certificate, now);
        }
        if (!problems.empty()) {
            const std::string why = describe(certificate) + " " + join(problems, "; it ");
            reasons.push_back(why);
            report.items.push_back(ImportItem{.outcome = ImportOutcome::skipped,
                                              .certificate = to_view(record, now),
                                              .note = why,
                                              .reason = reason});
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
        if (refused) {
            *refused = report;
        }
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
    auto bytes = read_input(file);
    if (!bytes) {
        return std::unexpected(bytes.error());
    }
    return import_server_bytes(*bytes, file.string(), password, actor);
}

Result<ImportReport> CertificateAdmin::import_server_bytes(std::string_view bytes,
                                                           const std::string& label,
                                                           const Secret& password,
                                                           const std::string& actor) {
    auto identity = crypto::open_pkcs12(bytes, password);
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
    auto record = to_record(certificate, store::CertificateKind::server,
                            store::CertificateSource::file, now, actor);
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

Result<ImportReport> CertificateAdmin::import_ca(const std::filesystem::path& file,
                                                 const std::string& actor) {
    auto bytes = read_input(file);
    if (!bytes) {
        return std::unexpected(bytes.error());
    }
    return import_ca_bytes(*bytes, file.string(), actor);
}

Result<ImportReport> CertificateAdmin::import_ca_bytes(std::string_view bytes,
                                                       const std::string& label,
                                                       const std::string& actor) {
    auto parsed = crypto::read_certificate_file(bytes);
    if (!parsed) {
        return std::unexpected(parsed.error().with_context(label));
    }
    const TimePoint now = m_clock.now();
    ImportReport report;
    bool any = false;
    for (const Certificate& c : parsed->certificates) {
        auto record =
            to_record(c, store::CertificateKind::ca, store::CertificateSource::file, now, actor);
        if (!c.facts().is_ca && !c.facts().self_signed) {
            report.items.push_back(
                ImportItem{.outcome = ImportOutcome::skipped,
                           .certificate = to_view(record, now),
                           .note = "certificate " + c.subject() +
                                   " is not a CA certificate; it cannot be a trust anchor",
                           .reason = ImportNote::not_ca});
            continue;
        }
        auto item = store_certificate(record, {}, std::nullopt, actor);
        if (!item) {
            return std::unexpected(item.error());
        }
        if (item->outcome == ImportOutcome::already_present) {
            item->note = "already trusted; nothing changed";
        }
        any = true;
        report.items.push_back(std::move(*item));
    }
    if (!any) {
        return fail(Errc::rejected, label + ": contains no CA certificate; nothing was imported");
    }
    return report;
}

Result<std::vector<CertificateView>> CertificateAdmin::list(std::optional<CertificateKind> kind) {
    std::optional<store::CertificateKind> stored_kind;
    if (kind) {
        stored_kind = to_store(*kind);
    }
    auto records = m_store.list(stored_kind);
    if (!records) {
        return std::unexpected(records.error());
    }
    const TimePoint now = m_clock.now();
    std::vector<CertificateView> views;
    views.reserve(records->size());
    for (const auto& r : *records) {
        views.push_back(to_view(r, now));
    }
    return views;
}

Result<CertificateDetails> CertificateAdmin::show(long long id) {
    auto found = m_store.get(id);
    if (!found) {
        return std::unexpected(found.error());
    }
    if (!*found) {
        return fail(Errc::not_found, "no certificate with id " + std::to_string(id));
    }
    CertificateDetails details{.certificate = to_view(**found, m_clock.now()), .chain = {}};
    auto ders = m_store.chain(id);
    if (!ders) {
        return std::unexpected(ders.error());
    }
    for (auto& der : *ders) {
        if (auto c = Certificate::from_der(der)) {
            details.chain.push_back({.subject = c->subject(),
                                     .issuer = c->issuer(),
                                     .serial = c->serial(),
                                     .fingerprint_sha256 = c->fingerprint_sha256(),
                                     .not_after = c->not_after()});
        }
    }
    return details;
}

Result<CertificateView> CertificateAdmin::remove(long long id, const std::string& actor) {
    auto found = show(id);
    if (!found) {
        return std::unexpected(found.error());
    }
    const CertificateView& view = found->certificate;
    auto removed = m_store.remove(id);
    if (!removed) {
        return std::unexpected(removed.error());
    }
    const std::string what =
        view.kind == CertificateKind::ca ? view.subject : join(view.addresses, ",");
    if (auto audited = m_audit.record(m_clock.now(), actor, "certificate.remove",
                                      "id " + std::to_string(id) + " " + to_string(view.kind) +
                                          " " + what + " sha256 " + view.fingerprint_sha256);
        !audited) {
        return std::unexpected(audited.error());
    }
    return view;
}

}  // namespace casecrypt::services
