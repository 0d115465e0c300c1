#include "services/outgoing_mail.h"

#include <algorithm>

#include "core/log.h"
#include "core/scratch_dir.h"
#include "core/text.h"
#include "mime/message_builder.h"
#include "services/certificate_resolver.h"
#include "services/properties.h"
#include "services/send_report_codec.h"
#include "services/smime_engine.h"
#include "store/outbox_store.h"

namespace casecrypt::services {
namespace {

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

UsedCertificate used(const Resolution& r) {
    UsedCertificate c;
    c.id = r.record.id;
    c.fingerprint_sha256 = r.record.fingerprint_sha256;
    c.serial = r.record.serial;
    c.not_after = r.record.not_after;
    switch (r.from) {
        case ResolvedFrom::server:
            c.source = UsedCertificate::Source::server;
            break;
        case ResolvedFrom::store:
            c.source = UsedCertificate::Source::store;
            break;
        case ResolvedFrom::ldap:
            c.source = UsedCertificate::Source::ldap;
            break;
    }
    return c;
}

// The sentence for people; the words are those the reports have always had.
std::string sentence(SendDecision decision, const std::vector<std::string>& missing) {
    switch (decision) {
        case SendDecision::encrypted:
            return "encrypted to every recipient";
        case SendDecision::rejected:
            return "not sent: no certificate for " + join(missing) +
                   " (policy cmas-core-server / mail.encryption.missing.certificate = reject); "
                   "kept in the outbox as rejected";
        case SendDecision::unencrypted_missing_certificate:
            return "sent unencrypted: no certificate for " + join(missing);
        case SendDecision::unencrypted_not_requested:
            return "sent unencrypted: encryption not requested for this mail";
        case SendDecision::unencrypted_switched_off:
            return "sent unencrypted: encryption is switched off "
                   "(cmas-core-server / mail.encryption = false)";
        case SendDecision::queued_again:
            return "queued again";
    }
    return "";
}

// The sentence of a dry run: "sent unencrypted: ..." -> "would be sent unencrypted: ...".
std::string would_sentence(std::string sentence) {
    for (const auto& [now, would] :
         {std::pair<std::string_view, std::string_view>{"sent unencrypted",
                                                        "would be sent unencrypted"},
          {"not sent", "would not be sent"},
          {"encrypted to every recipient", "would be encrypted to every recipient"},
          {"kept in the outbox as rejected", "would be kept in the outbox as rejected"}}) {
        if (const auto at = sentence.find(now); at != std::string::npos)
            sentence.replace(at, now.size(), would);
    }
    return sentence;
}

RecipientOutcome outcome_for(SendDecision decision, bool lacks) {
    switch (decision) {
        case SendDecision::encrypted:
            return RecipientOutcome::encrypted;
        case SendDecision::rejected:
            return lacks ? RecipientOutcome::rejected_no_certificate
                         : RecipientOutcome::rejected_other_lacks_certificate;
        case SendDecision::unencrypted_missing_certificate:
            return lacks ? RecipientOutcome::unencrypted_no_certificate
                         : RecipientOutcome::unencrypted_other_lacks_certificate;
        default:
            return RecipientOutcome::unencrypted_not_requested;
    }
}

Result<void> encrypt_file(const std::filesystem::path& work_dir, const std::filesystem::path& plain,
                          const std::vector<crypto::Certificate>& certificates,
                          const crypto::EncryptOptions& options, const std::filesystem::path& out) {
    SmimeEngine engine(work_dir);
    return engine.encrypt(plain, certificates, options, out);
}

}  // namespace

Result<TimePoint> OutgoingMail::expiry() {
    auto seconds = m_properties.get_int(kCoreModule, kOutboxMaxAge);
    if (!seconds)
        return std::unexpected(seconds.error());
    return m_clock.now() + std::chrono::seconds(*seconds);
}

Result<SendReport> OutgoingMail::send(const SendRequest& request,
                                      const std::optional<ReplyTo>& reply_to) {
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
    auto reply_addresses = addresses_of(request.reply_to);
    for (const auto* r : {&to, &cc, &bcc, &reply_addresses}) {
        if (!*r)
            return std::unexpected(r->error());
    }
    SendReport report;
    for (const auto& a : *to)
        report.recipients.push_back({a, RecipientKind::to, RecipientOutcome::encrypted, {}});
    for (const auto& a : *cc)
        report.recipients.push_back({a, RecipientKind::cc, RecipientOutcome::encrypted, {}});
    for (const auto& a : *bcc)
        report.recipients.push_back({a, RecipientKind::bcc, RecipientOutcome::encrypted, {}});
    if (report.recipients.empty())
        return fail(Errc::rejected, "the mail has no recipient");

    auto switched_on = m_properties.get_bool(kCoreModule, kMailEncryption);
    if (!switched_on)
        return std::unexpected(switched_on.error());
    if (request.encrypt.value_or(false) && !*switched_on) {
        return fail(Errc::rejected,
                    "encryption was asked for, but it is switched off for the whole system "
                    "(cmas-core-server / mail.encryption = false)");
    }
    const bool wanted = request.encrypt.value_or(*switched_on) && *switched_on;
    if (request.missing_certificate_policy && *request.missing_certificate_policy != "reject" &&
        *request.missing_certificate_policy != "unencrypted") {
        return fail(Errc::rejected,
                    "the missing-certificate policy of one mail is \"unencrypted\" "
                    "or \"reject\", not \"" +
                        *request.missing_certificate_policy + "\"");
    }

    auto scratch = ScratchDir::create(m_work_dir);
    if (!scratch)
        return std::unexpected(scratch.error());
    report.mail_id = mime::make_message_id(from->front());
    std::vector<mime::HeaderField> extra;
    if (request.auto_submitted)
        extra.push_back({"Auto-Submitted", "auto-generated"});
    // Built once into a file; the copies are made from that file, never from a copy in memory.
    const auto plain_file = scratch->file("plain");
    mime::NewMessage message{
        .from = request.from,
        .to = request.to,
        .cc = request.cc,
        .reply_to = request.reply_to,
        .subject = request.subject,
        .text = request.text,
        .html = request.html,
        .attachments = request.attachments,
        .attachment_types = request.attachment_types,
        .message_id = report.mail_id,
        .date = m_clock.now(),
        .in_reply_to = reply_to ? reply_to->in_reply_to : "",
        .references = reply_to ? reply_to->references : std::vector<std::string>{},
        .extra = std::move(extra)};
    // A dry run builds too: a mail that cannot be built (an unreadable attachment, a bad
    // content type) fails the same way it would when sent.
    if (auto built = mime::build_message(message, plain_file); !built) {
        return std::unexpected(built.error());
    }

    // Every recipient's certificate, when the mail is to be encrypted.
    // All at once: the LDAP lookups of one mail share one timeout (CertificateResolver).
    std::vector<std::string> missing;
    std::vector<std::optional<Resolution>> resolutions(report.recipients.size());
    if (wanted) {
        std::vector<std::string> addresses;
        for (const auto& r : report.recipients)
            addresses.push_back(r.address);
        auto resolved = m_resolver.resolve_all(addresses);
        if (!resolved)
            return std::unexpected(resolved.error());
        resolutions = std::move(*resolved);
    }
    for (std::size_t i = 0; i < report.recipients.size(); ++i) {
        if (resolutions[i])
            report.recipients[i].certificate = used(*resolutions[i]);
        else if (wanted)
            missing.push_back(report.recipients[i].address);
    }
    auto policy = request.missing_certificate_policy
                      ? Result<std::string>(*request.missing_certificate_policy)
                      : m_properties.get_value(kCoreModule, kMissingCertificatePolicy);
    if (!policy)
        return std::unexpected(policy.error());
    auto expires = expiry();
    if (!expires)
        return std::unexpected(expires.error());

    if (wanted && missing.empty())
        report.decision = SendDecision::encrypted;
    else if (wanted && *policy == "reject")
        report.decision = SendDecision::rejected;
    else if (wanted)
        report.decision = SendDecision::unencrypted_missing_certificate;
    else
        report.decision = *switched_on ? SendDecision::unencrypted_not_requested
                                       : SendDecision::unencrypted_switched_off;
    report.encrypted = report.decision == SendDecision::encrypted;
    report.sentence = sentence(report.decision, missing);
    report.missing_certificate_policy = request.missing_certificate_policy;
    if (report.rejected() && request.missing_certificate_policy) {
        report.sentence = "not sent: no certificate for " + join(missing) +
                          " (this mail's own missing-certificate policy is reject); kept in the "
                          "outbox as rejected";
    }
    for (auto& r : report.recipients) {
        const bool lacks = std::find(missing.begin(), missing.end(), r.address) != missing.end();
        r.outcome = outcome_for(report.decision, lacks);
    }
    if (request.dry_run) {
        // Decided; nothing encrypted, queued or recorded. The sentence says what would happen.
        report.sentence = would_sentence(report.sentence);
        return report;
    }

    const TimePoint now = m_clock.now();
    auto base_entry = [&](std::vector<std::string> envelope) {
        store::OutboxEntry e;
        e.mail_id = report.mail_id;
        e.envelope_from = from->front();
        e.recipients = std::move(envelope);
        e.subject = request.subject;
        e.next_attempt_at = now;
        e.created_at = now;
        e.expires_at = *expires;
        return e;
    };
    std::vector<store::OutboxEntry> copies;
    if (report.decision == SendDecision::encrypted || report.rejected()) {
        // One copy for To and Cc, one per Bcc recipient: a Bcc is in no RecipientInfo of
        // another copy (RFC 8551 section 3.1 leaves this to us).
        std::vector<std::vector<std::size_t>> groups;
        std::vector<std::size_t> visible;
        for (std::size_t i = 0; i < report.recipients.size(); ++i) {
            if (report.recipients[i].kind == RecipientKind::bcc)
                groups.push_back({i});
            else
                visible.push_back(i);
        }
        if (!visible.empty())
            groups.insert(groups.begin(), visible);
        auto options = encrypt_options(m_properties);
        if (!options)
            return std::unexpected(options.error());
        for (const auto& group : groups) {
            std::vector<std::string> envelope;
            std::vector<crypto::Certificate> certificates;
            for (std::size_t i : group) {
                envelope.push_back(report.recipients[i].address);
                if (resolutions[i])
                    certificates.push_back(resolutions[i]->certificate);
            }
            store::OutboxEntry e = base_entry(envelope);
            if (report.rejected()) {
                e.state = store::OutboxState::rejected;
                e.plain_file =
                    plain_file;  // kept so the engineer can retry once certificates exist
                e.last_error = "no certificate for: " + join(missing);
            } else {
                const auto out = scratch->file("encrypted");
                if (auto done = encrypt_file(m_work_dir, plain_file, certificates, *options, out);
                    !done) {
                    return std::unexpected(done.error());
                }
                e.payload_file = out;
                e.encrypted = true;
            }
            copies.push_back(std::move(e));
        }
    } else {
        std::vector<std::string> envelope;
        for (const auto& r : report.recipients)
            envelope.push_back(r.address);
        store::OutboxEntry e = base_entry(envelope);
        e.payload_file = plain_file;
        copies.push_back(std::move(e));
    }

    const std::string kept = send_report_json(report);
    for (auto& c : copies)
        c.report = kept;
    auto ids = m_outbox.add(copies);
    if (!ids)
        return std::unexpected(ids.error());
    report.outbox_ids = *ids;
    spdlog::info("mail {} committed to the outbox as {} cop{} ({})", report.mail_id, ids->size(),
                 ids->size() == 1 ? "y" : "ies", report.sentence);
    return report;
}

Result<SendReport> OutgoingMail::retry(long long id) {
    auto found = m_outbox.get_summary(id);
    if (!found)
        return std::unexpected(found.error());
    if (!*found)
        return fail(Errc::not_found, "no outbox entry with id " + std::to_string(id));
    store::OutboxEntry entry = std::move(**found);
    auto expires = expiry();
    if (!expires)
        return std::unexpected(expires.error());
    auto scratch = ScratchDir::create(m_work_dir);
    if (!scratch)
        return std::unexpected(scratch.error());
    SendReport report;
    report.mail_id = entry.mail_id;
    report.outbox_ids = {id};
    if (entry.state == store::OutboxState::failed) {
        const auto payload_file = scratch->file("payload");
        auto kept = m_outbox.payload_to_file(id, payload_file);
        if (!kept)
            return std::unexpected(kept.error());
        if (*kept)
            entry.payload_file = payload_file;
        entry.state = store::OutboxState::queued;
        entry.last_error.clear();
        if (auto r = m_outbox.requeue(entry, m_clock.now(), *expires); !r)
            return std::unexpected(r.error());
        report.decision = SendDecision::queued_again;
        report.encrypted = entry.encrypted;
        report.sentence = sentence(report.decision, {});
        return report;
    }
    if (entry.state != store::OutboxState::rejected) {
        return fail(Errc::rejected, "outbox entry " + std::to_string(id) + " is " +
                                        store::to_string(entry.state) +
                                        "; only rejected or failed entries can be retried");
    }
    const auto plain_file = scratch->file("plain");
    auto has_plain = m_outbox.plain_to_file(id, plain_file);
    if (!has_plain)
        return std::unexpected(has_plain.error());
    if (!*has_plain) {
        return fail(Errc::internal,
                    "outbox entry " + std::to_string(id) + " kept no message to send again");
    }
    entry.plain_file = plain_file;
    // Who was To, Cc or Bcc: as the first decision recorded it.
    const auto before = parse_send_report(entry.report);
    std::vector<std::string> missing;
    std::vector<crypto::Certificate> certificates;
    auto resolutions = m_resolver.resolve_all(entry.recipients);
    if (!resolutions)
        return std::unexpected(resolutions.error());
    for (std::size_t i = 0; i < entry.recipients.size(); ++i) {
        const std::string& address = entry.recipients[i];
        auto& resolved = (*resolutions)[i];
        RecipientReport r{address, RecipientKind::to, RecipientOutcome::encrypted, {}};
        if (before) {
            for (const auto& b : before->recipients) {
                if (b.address == address)
                    r.kind = b.kind;
            }
        }
        if (resolved) {
            certificates.push_back(resolved->certificate);
            r.certificate = used(*resolved);
        } else {
            missing.push_back(address);
            r.outcome = RecipientOutcome::no_certificate;
        }
        report.recipients.push_back(std::move(r));
    }
    // The mail's own policy, when it set one (a reminder that must never go out in clear).
    const std::optional<std::string> own =
        before ? before->missing_certificate_policy : std::nullopt;
    auto policy = own ? Result<std::string>(*own)
                      : m_properties.get_value(kCoreModule, kMissingCertificatePolicy);
    if (!policy)
        return std::unexpected(policy.error());
    report.missing_certificate_policy = own;
    if (!missing.empty() && *policy == "reject") {
        entry.last_error = "no certificate for: " + join(missing);
        if (auto r = m_outbox.requeue(entry, m_clock.now(), *expires); !r)
            return std::unexpected(r.error());
        return fail(Errc::rejected, "outbox entry " + std::to_string(id) +
                                        " still cannot be encrypted: no certificate for " +
                                        join(missing));
    }
    if (missing.empty()) {
        auto options = encrypt_options(m_properties);
        if (!options)
            return std::unexpected(options.error());
        const auto out = scratch->file("encrypted");
        if (auto done = encrypt_file(m_work_dir, plain_file, certificates, *options, out); !done)
            return std::unexpected(done.error());
        entry.payload_file = out;
        entry.encrypted = true;
        report.decision = SendDecision::encrypted;
    } else {
        entry.payload_file = plain_file;
        entry.encrypted = false;
        report.decision = SendDecision::unencrypted_missing_certificate;
    }
    report.encrypted = entry.encrypted;
    report.sentence = sentence(report.decision, missing);
    entry.plain_file.reset();  // the plain copy is not kept once the copy can go
    entry.state = store::OutboxState::queued;
    entry.last_error.clear();
    entry.report = send_report_json(report);
    if (auto r = m_outbox.requeue(entry, m_clock.now(), *expires); !r)
        return std::unexpected(r.error());
    return report;
}

}  // namespace casecrypt::services
