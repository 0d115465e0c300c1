#include "services/outgoing_mail.h"

#include <fstream>
#include <nlohmann/json.hpp>

#include "core/file_io.h"
#include "core/iso_time.h"
#include "core/json_text.h"
#include "core/log.h"
#include "core/scratch_dir.h"
#include "core/text.h"
#include "mime/message_builder.h"
#include "services/smime_engine.h"

namespace casecrypt::services {
namespace {

struct Recipient {
    std::string address;
    std::string kind;
};

std::string join(const std::vector<std::string>& parts) {
    return casecrypt::join(parts, ", ");
}

Result<std::vector<std::string>> addresses_of(const std::vector<std::string>& entries) {
    std::vector<std::string> out;
    for (const auto& entry : entries) {
        auto parsed = mime::parse_addresses(entry);
        if (!parsed)
            return std::unexpected(parsed.error());
        out.insert(out.end(), parsed->begin(), parsed->end());
    }
    return out;
}

Result<crypto::EncryptOptions> encrypt_options(Properties& properties) {
    auto cipher_name = properties.get_value(kCoreModule, kMailEncryptionCipher);
    auto transport_name = properties.get_value(kCoreModule, kMailEncryptionKeyTransport);
    if (!cipher_name)
        return std::unexpected(cipher_name.error());
    if (!transport_name)
        return std::unexpected(transport_name.error());
    auto cipher = crypto::parse_content_cipher(*cipher_name);
    auto transport = crypto::parse_key_transport(*transport_name);
    if (!cipher)
        return std::unexpected(cipher.error());
    if (!transport)
        return std::unexpected(transport.error());
    return crypto::EncryptOptions{*cipher, *transport};
}

// Encrypts the plain message to the certificates; returns the bytes to send.
Result<std::string> encrypt_copy(const std::filesystem::path& work_dir,
                                 const std::filesystem::path& plain,
                                 const std::vector<crypto::Certificate>& certificates,
                                 const crypto::EncryptOptions& options, ScratchDir& scratch) {
    const auto out = scratch.file("encrypted");
    SmimeEngine engine(work_dir);
    if (auto done = engine.encrypt(plain, certificates, options, out); !done) {
        return std::unexpected(done.error());
    }
    return read_file(out, 1ull << 40);
}

}  // namespace

std::string report_json(const SendResult& r) {
    nlohmann::json recipients = nlohmann::json::array();
    for (const auto& rec : r.recipients) {
        nlohmann::json certificate = nullptr;
        if (rec.certificate) {
            certificate = {{"fingerprint_sha256", rec.certificate->record.fingerprint_sha256},
                           {"source", to_string(rec.certificate->from)},
                           {"serial", rec.certificate->record.serial},
                           {"not_after", to_iso8601(rec.certificate->record.not_after)}};
        }
        recipients.push_back({{"address", rec.address},
                              {"kind", rec.kind},
                              {"outcome", rec.outcome},
                              {"certificate", certificate}});
    }
    return json_text({{"mail_id", r.mail_id},
                      {"encrypted", r.encrypted},
                      {"rejected", r.rejected},
                      {"decision", r.decision},
                      {"recipients", recipients},
                      {"outbox_ids", r.outbox_ids}});
}

Result<TimePoint> OutgoingMail::expiry() {
    auto seconds = m_properties.get_int(kCoreModule, kOutboxMaxAge);
    if (!seconds)
        return std::unexpected(seconds.error());
    return m_clock.now() + std::chrono::seconds(*seconds);
}

Result<SendResult> OutgoingMail::send(const SendRequest& request) {
    // Stored as text (outbox, ticket history) and listed as JSON: refused here, whatever edge.
    if (!is_valid_utf8(request.subject))
        return fail(Errc::rejected, "the subject is not valid UTF-8");
    if (!is_valid_utf8(request.text))
        return fail(Errc::rejected, "the text is not valid UTF-8");
    if (request.html && !is_valid_utf8(*request.html)) {
        return fail(Errc::rejected, "the HTML alternative is not valid UTF-8");
    }
    auto from = mime::parse_addresses(request.from);
    if (!from)
        return std::unexpected(from.error());
    if (from->size() != 1) {
        return fail(Errc::rejected,
                    "the sender must be exactly one address, not \"" + request.from + "\"");
    }
    auto to = addresses_of(request.to);
    auto cc = addresses_of(request.cc);
    auto bcc = addresses_of(request.bcc);
    for (const auto* r : {&to, &cc, &bcc}) {
        if (!*r)
            return std::unexpected(r->error());
    }
    std::vector<Recipient> recipients;
    for (const auto& a : *to)
        recipients.push_back({a, "to"});
    for (const auto& a : *cc)
        recipients.push_back({a, "cc"});
    for (const auto& a : *bcc)
        recipients.push_back({a, "bcc"});
    if (recipients.empty()) {
        return fail(Errc::rejected, "the mail has no recipient (give --to, --cc or --bcc)");
    }

    auto switched_on = m_properties.get_bool(kCoreModule, kMailEncryption);
    if (!switched_on)
        return std::unexpected(switched_on.error());
    if (request.encrypt.value_or(false) && !*switched_on) {
        return fail(Errc::rejected,
                    "encryption was asked for, but it is switched off for the whole system "
                    "(cmas-core-server / mail.encryption = false)");
    }
    const bool wanted = request.encrypt.value_or(*switched_on) && *switched_on;

    auto scratch = ScratchDir::create(m_work_dir);
    if (!scratch)
        return std::unexpected(scratch.error());
    SendResult result;
    result.mail_id = mime::make_message_id(from->front());
    const auto plain_file = scratch->file("plain");
    mime::NewMessage message{.from = request.from,
                             .to = request.to,
                             .cc = request.cc,
                             .subject = request.subject,
                             .text = request.text,
                             .html = request.html,
                             .attachments = request.attachments,
                             .message_id = result.mail_id,
                             .date = m_clock.now(),
                             .extra = {}};
    if (auto built = mime::build_message(message, plain_file); !built) {
        return std::unexpected(built.error());
    }
    auto plain = read_file(plain_file, 1ull << 40);
    if (!plain)
        return std::unexpected(plain.error());

    // Every recipient's certificate, when the mail is to be encrypted.
    // All at once: the LDAP lookups of one mail share one timeout (CertificateResolver).
    std::vector<std::string> missing;
    std::vector<std::optional<Resolution>> resolutions(recipients.size());
    if (wanted) {
        std::vector<std::string> addresses;
        for (const auto& r : recipients)
            addresses.push_back(r.address);
        auto resolved = m_resolver.resolve_all(addresses);
        if (!resolved)
            return std::unexpected(resolved.error());
        resolutions = std::move(*resolved);
    }
    for (std::size_t i = 0; i < recipients.size(); ++i) {
        RecipientReport report{recipients[i].address, recipients[i].kind, std::move(resolutions[i]),
                               ""};
        if (wanted && !report.certificate)
            missing.push_back(recipients[i].address);
        result.recipients.push_back(std::move(report));
    }
    auto policy = m_properties.get_value(kCoreModule, kMissingCertificatePolicy);
    if (!policy)
        return std::unexpected(policy.error());
    auto expires = expiry();
    if (!expires)
        return std::unexpected(expires.error());

    const TimePoint now = m_clock.now();
    auto base_entry = [&](std::vector<std::string> envelope) {
        store::OutboxEntry e;
        e.mail_id = result.mail_id;
        e.envelope_from = from->front();
        e.recipients = std::move(envelope);
        e.subject = request.subject;
        e.next_attempt_at = now;
        e.created_at = now;
        e.expires_at = *expires;
        return e;
    };
    std::vector<store::OutboxEntry> copies;
    const bool encrypt = wanted && missing.empty();
    const bool reject = wanted && !missing.empty() && *policy == "reject";
    if (encrypt || reject) {
        // One copy for To and Cc, one per Bcc recipient: a Bcc is in no RecipientInfo of
        // another copy (RFC 8551 section 3.1 leaves this to us).
        std::vector<std::vector<const RecipientReport*>> groups;
        std::vector<const RecipientReport*> visible;
        for (const auto& r : result.recipients) {
            if (r.kind == "bcc") {
                groups.push_back({&r});
            } else {
                visible.push_back(&r);
            }
        }
        if (!visible.empty())
            groups.insert(groups.begin(), visible);
        auto options = encrypt_options(m_properties);
        if (!options)
            return std::unexpected(options.error());
        for (const auto& group : groups) {
            std::vector<std::string> envelope;
            std::vector<crypto::Certificate> certificates;
            for (const auto* r : group) {
                envelope.push_back(r->address);
                if (r->certificate)
                    certificates.push_back(r->certificate->certificate);
            }
            store::OutboxEntry e = base_entry(envelope);
            if (reject) {
                e.state = store::OutboxState::rejected;
                e.plain = *plain;  // kept so the engineer can retry once certificates exist
                e.last_error = "no certificate for: " + join(missing);
            } else {
                auto payload =
                    encrypt_copy(m_work_dir, plain_file, certificates, *options, *scratch);
                if (!payload)
                    return std::unexpected(payload.error());
                e.payload = std::move(*payload);
                e.encrypted = true;
            }
            copies.push_back(std::move(e));
        }
    } else {
        std::vector<std::string> envelope;
        for (const auto& r : result.recipients)
            envelope.push_back(r.address);
        store::OutboxEntry e = base_entry(envelope);
        e.payload = *plain;
        copies.push_back(std::move(e));
    }

    result.encrypted = encrypt;
    result.rejected = reject;
    if (encrypt) {
        result.decision = "encrypted to every recipient";
    } else if (reject) {
        result.decision = "not sent: no certificate for " + join(missing) +
                          " (policy cmas-core-server / mail.encryption.missing.certificate = "
                          "reject); kept in the outbox as rejected";
    } else if (wanted) {
        result.decision = "sent unencrypted: no certificate for " + join(missing);
    } else {
        result.decision = *switched_on ? "sent unencrypted: encryption not requested for this mail"
                                       : "sent unencrypted: encryption is switched off "
                                         "(cmas-core-server / mail.encryption = false)";
    }
    for (auto& r : result.recipients) {
        const bool lacks = std::find(missing.begin(), missing.end(), r.address) != missing.end();
        if (encrypt) {
            r.outcome = "encrypted";
        } else if (reject) {
            r.outcome = lacks ? "rejected: no certificate"
                              : "rejected: another recipient has no certificate";
        } else if (wanted) {
            r.outcome = lacks ? "sent unencrypted: no certificate"
                              : "sent unencrypted: another recipient has no certificate";
        } else {
            r.outcome = "sent unencrypted: encryption not requested or switched off";
        }
    }
    const std::string report = report_json(result);
    for (auto& c : copies)
        c.report = report;
    auto ids = m_outbox.add(copies);
    if (!ids)
        return std::unexpected(ids.error());
    result.outbox_ids = *ids;
    spdlog::info("mail {} committed to the outbox as {} cop{} ({})", result.mail_id, ids->size(),
                 ids->size() == 1 ? "y" : "ies", result.decision);
    return result;
}

Result<SendResult> OutgoingMail::retry(long long id) {
    auto found = m_outbox.get(id);
    if (!found)
        return std::unexpected(found.error());
    if (!*found)
        return fail(Errc::not_found, "no outbox entry with id " + std::to_string(id));
    store::OutboxEntry entry = std::move(**found);
    auto expires = expiry();
    if (!expires)
        return std::unexpected(expires.error());
    SendResult result;
    result.mail_id = entry.mail_id;
    result.outbox_ids = {id};
    if (entry.state == store::OutboxState::failed) {
        entry.state = store::OutboxState::queued;
        entry.last_error.clear();
        if (auto r = m_outbox.requeue(entry, m_clock.now(), *expires); !r)
            return std::unexpected(r.error());
        result.encrypted = entry.encrypted;
        result.decision = "queued again";
        return result;
    }
    if (entry.state != store::OutboxState::rejected) {
        return fail(Errc::rejected, "outbox entry " + std::to_string(id) + " is " +
                                        store::to_string(entry.state) +
                                        "; only rejected or failed entries can be retried");
    }
    std::vector<std::string> missing;
    std::vector<crypto::Certificate> certificates;
    auto resolutions = m_resolver.resolve_all(entry.recipients);
    if (!resolutions)
        return std::unexpected(resolutions.error());
    for (std::size_t i = 0; i < entry.recipients.size(); ++i) {
        const std::string& address = entry.recipients[i];
        auto& resolved = (*resolutions)[i];
        RecipientReport report{address, "", resolved, ""};
        if (resolved) {
            certificates.push_back(resolved->certificate);
            report.outcome = "encrypted";
        } else {
            missing.push_back(address);
            report.outcome = "no certificate";
        }
        result.recipients.push_back(std::move(report));
    }
    auto policy = m_properties.get_value(kCoreModule, kMissingCertificatePolicy);
    if (!policy)
        return std::unexpected(policy.error());
    if (!missing.empty() && *policy == "reject") {
        entry.last_error = "no certificate for: " + join(missing);
        if (auto r = m_outbox.requeue(entry, m_clock.now(), *expires); !r)
            return std::unexpected(r.error());
        return fail(Errc::rejected, "outbox entry " + std::to_string(id) +
                                        " still cannot be encrypted: no certificate for " +
                                        join(missing));
    }
    auto scratch = ScratchDir::create(m_work_dir);
    if (!scratch)
        return std::unexpected(scratch.error());
    if (missing.empty()) {
        const auto plain_file = scratch->file("plain");
        if (auto w = write_file_atomic(
                plain_file, entry.plain.value_or(""),
                std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
            !w) {
            return std::unexpected(w.error());
        }
        auto options = encrypt_options(m_properties);
        if (!options)
            return std::unexpected(options.error());
        auto payload = encrypt_copy(m_work_dir, plain_file, certificates, *options, *scratch);
        if (!payload)
            return std::unexpected(payload.error());
        entry.payload = std::move(*payload);
        entry.encrypted = true;
        result.encrypted = true;
        result.decision = "encrypted to every recipient";
    } else {
        entry.payload = entry.plain;
        entry.encrypted = false;
        result.decision = "sent unencrypted: no certificate for " + join(missing);
    }
    entry.plain.reset();
    entry.state = store::OutboxState::queued;
    entry.last_error.clear();
    entry.report = report_json(result);
    if (auto r = m_outbox.requeue(entry, m_clock.now(), *expires); !r)
        return std::unexpected(r.error());
    return result;
}

}  // namespace casecrypt::services
