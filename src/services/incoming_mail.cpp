#include "services/incoming_mail.h"

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>

#include "core/file_io.h"
#include "core/iso_time.h"
#include "core/json_text.h"
#include "core/log.h"
#include "core/scratch_dir.h"
#include "core/text.h"
#include "crypto/sha256.h"
#include "mime/message_parser.h"
#include "mime/mime_document.h"
#include "services/key_ring.h"
#include "services/smime_engine.h"
#include "store/guarded.h"
#include "transport/mailbox.h"

namespace casecrypt::services {
namespace {

nlohmann::json displays(const std::vector<mime::MailAddress>& addresses) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& a : addresses)
        out.push_back(a.display());
    return out;
}

Result<void> write_bytes(const std::filesystem::path& path, const std::string& bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!out.flush()) {
        return fail(Errc::io, "cannot write " + path.string());
    }
    return {};
}

// The text of a message whose encrypted parts sit beside plain ones (the EFAIL pattern): each
// part on its own, labelled, never one merged text.
std::string mixed_parts_text(const DecryptReport& report) {
    std::string text =
        "[This mail mixes encrypted and unencrypted parts; each part is shown on its own.]\n";
    for (const auto& part : report.parts) {
        text +=
            "\n--- part " + std::to_string(part.index + 1) + " (" + part.content_type + ", " +
            (part.encrypted ? (part.decrypted ? "encrypted, decrypted" : "encrypted, NOT decrypted")
                            : "NOT encrypted") +
            ") ---\n";
        if (part.text)
            text += *part.text + "\n";
        if (!part.error.empty())
            text += "[" + part.error + "]\n";
    }
    return text;
}

Result<mime::ParseLimits> parse_limits(Properties& properties) {
    auto parts = properties.get_int(kMailboxModule, kMailboxMaxParts);
    if (!parts)
        return std::unexpected(parts.error());
    auto depth = properties.get_int(kMailboxModule, kMailboxMaxDepth);
    if (!depth)
        return std::unexpected(depth.error());
    // Within int: the properties' ranges (Properties::get_int keeps to them).
    return mime::ParseLimits{static_cast<int>(*parts), static_cast<int>(*depth),
                             std::string(kMailboxModule) + " / " + kMailboxMaxParts,
                             std::string(kMailboxModule) + " / " + kMailboxMaxDepth};
}

// What a received mail says, as a digest: two copies of one mail (delivered to two of our
// addresses, or fetched from two mailboxes) agree, whatever their transport headers say.
std::string content_digest(const mime::ParsedMessage& parsed) {
    crypto::Sha256 sha;
    sha.field(parsed.from ? parsed.from->address : "");
    for (const auto* list : {&parsed.to, &parsed.cc}) {
        sha.field(std::to_string(list->size()));
        for (const auto& a : *list)
            sha.field(a.address);
    }
    sha.field(parsed.subject);
    sha.field(parsed.date ? to_iso8601(*parsed.date) : "");
    sha.field(parsed.text.value_or("")).field(parsed.html.value_or(""));
    for (const auto& a : parsed.attachments) {
        sha.field(a.name).field(a.content_type);
        std::ifstream in(a.file, std::ios::binary);
        crypto::Sha256 content;
        char buffer[65536];
        while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
            content.update(std::string_view(buffer, static_cast<std::size_t>(in.gcount())));
        }
        sha.field(content.hex());
    }
    return sha.hex();
}

}  // namespace

Result<AccountFetch> IncomingMail::fetch(const std::string& account) {
    AccountFetch result;
    result.account = account;
    auto settings = m_accounts.settings(account);
    if (!settings) {
        if (settings.error().code() == Errc::io)
            return std::unexpected(settings.error());
        result.error = settings.error().message();
        return result;
    }
    auto remove = m_properties.get_bool(kMailboxModule, kMailboxDeleteRead);
    if (!remove)
        return std::unexpected(remove.error());
    auto known = m_incoming.keys(account);
    if (!known)
        return std::unexpected(known.error());
    auto scratch = ScratchDir::create(m_work_dir);
    if (!scratch)
        return std::unexpected(scratch.error());

    auto record_error = [&](const std::string& error) -> Result<AccountFetch> {
        result.error = error;
        spdlog::warn("account {}: {}", account, error);
        if (auto recorded = m_accounts.record_fetch(account, error); !recorded) {
            return std::unexpected(recorded.error());
        }
        return result;
    };
    auto mailbox = transport::open_mailbox(*settings);
    if (!mailbox)
        return record_error(mailbox.error().message());
    auto listed = (*mailbox)->list();
    if (!listed)
        return record_error(listed.error().message());
    result.listed = static_cast<int>(listed->size());

    for (const auto& message : *listed) {
        const auto seen = known->find(message.key);
        if (seen == known->end() && message.deleted) {
            continue;  // another client deleted it: not ours to fetch
        }
        if (seen == known->end()) {
            const auto file = scratch->file("fetched");
            if (auto fetched = (*mailbox)->fetch(message, file); !fetched) {
                if (fetched.error().code() == Errc::not_found) {
                    spdlog::debug("account {}: {}", account, fetched.error().message());
                    continue;  // gone since it was listed: another reader took it
                }
                return record_error(fetched.error().message());
            }
            store::IncomingRecord record;
            record.account = account;
            record.source_key = message.key;
            record.received_at = m_clock.now();
            // The outer header, for listings; an unreadable one is dealt with (kept as a
            // backup) when the mail is processed, like any other problem.
            if (auto summary = mime::read_summary(file)) {
                record.subject = summary->subject;
                record.from_address = summary->from_address;
                record.message_id = summary->message_id;
            }
            auto bytes = read_file(file, std::numeric_limits<std::size_t>::max());
            std::filesystem::remove(file);
            if (!bytes)
                return std::unexpected(bytes.error());
            record.size = static_cast<long long>(bytes->size());
            record.raw = std::move(*bytes);
            auto stored = m_incoming.add(record);
            if (!stored)
                return std::unexpected(stored.error());
            if (*stored) {
                ++result.fetched;
                spdlog::info("account {}: stored mail {} as incoming {}", account, message.key,
                             **stored);
            }
        } else if (seen->second && !*remove) {
            // Stored and marked read on the server already: a mailbox that keeps read mail
            // lists it in every round.
            continue;
        }
        // Here a mail is either just stored, stored in a round that ended before the server was
        // told, or (when read mail is deleted) still there although we deleted it: POP3 applies
        // DELE only at the end of the session, and a round cut short (killed, disconnected)
        // never got there; IMAP may hold it flagged \Deleted but not expunged. Tell it again.
        // Stored for good: now, and only now, the server may forget it.
        if (auto done = (*mailbox)->done(message, *remove); !done) {
            return record_error(done.error().message());
        }
        if (auto marked = m_incoming.mark_done_on_server(account, message.key); !marked) {
            return std::unexpected(marked.error());
        }
    }
    if (auto recorded = m_accounts.record_fetch(account, ""); !recorded) {
        return std::unexpected(recorded.error());
    }
    return result;
}

Result<const IncomingMail::Keys*> IncomingMail::keys() {
    if (!m_keys) {
        auto identities = m_certificates.key_ring().decryption_identities();
        if (!identities)
            return std::unexpected(identities.error());
        auto anchors = m_certificates.key_ring().trust_anchors();
        if (!anchors)
            return std::unexpected(anchors.error());
        m_keys = Keys{std::move(*identities), std::move(*anchors)};
    }
    return &*m_keys;
}

Result<ProcessSummary> IncomingMail::process_pending() {
    m_keys.reset();  // certificates imported since the last batch count
    ProcessSummary summary;
    for (long long after = 0;;) {
        auto started = m_incoming.start_attempt(after);
        if (!started)
            return std::unexpected(started.error());
        if (!*started)
            break;
        after = (*started)->id;
        auto outcome = attempt(**started);
        if (!outcome)
            return std::unexpected(outcome.error());
        if (!*outcome)
            continue;  // another process has it
        if (!(**outcome).failure.empty()) {
            ++summary.failed;
        } else {
            (**outcome).filed ? ++summary.filed : ++summary.backups;
        }
        summary.outcomes.push_back(std::move(**outcome));
    }
    return summary;
}

Result<ProcessOutcome> IncomingMail::retry_backup(long long id, const std::string& actor) {
    auto requeued = m_incoming.requeue_backup(id);
    if (!requeued)
        return std::unexpected(requeued.error());
    if (!*requeued) {
        return fail(Errc::not_found,
                    "no email backup " + std::to_string(id) + " (`backup list` shows them)");
    }
    if (auto audited = m_audit.record(m_clock.now(), actor, "backup.retry", std::to_string(id));
        !audited) {
        return std::unexpected(audited.error());
    }
    m_keys.reset();
    auto started = m_incoming.start_attempt_at(id);
    if (!started)
        return std::unexpected(started.error());
    std::optional<ProcessOutcome> outcome;
    if (*started) {
        auto attempted = attempt(**started);
        if (!attempted)
            return std::unexpected(attempted.error());
        outcome = std::move(*attempted);
    }
    if (!outcome) {
        return fail(Errc::io, "email backup " + std::to_string(id) +
                                  " is being processed by another process");
    }
    return *outcome;
}

Result<std::optional<ProcessOutcome>> IncomingMail::attempt(
    const store::IncomingStore::Attempt& attempt) {
    auto max_attempts = m_properties.get_int(kMailboxModule, kMailboxMaxAttempts);
    if (!max_attempts)
        return std::unexpected(max_attempts.error());
    const long long limit = *max_attempts;  // at least 1 (its range)
    auto give_up = [&](const std::string& cause) -> Result<std::optional<ProcessOutcome>> {
        if (auto marked = m_incoming.mark_backup(attempt.id, cause, m_clock.now()); !marked) {
            return std::unexpected(marked.error());
        }
        spdlog::warn("incoming {}: kept as an email backup: {}", attempt.id, cause);
        ProcessOutcome outcome;
        outcome.incoming_id = attempt.id;
        outcome.attempt = attempt.attempts;
        outcome.cause = cause;
        return std::optional<ProcessOutcome>(std::move(outcome));
    };
    if (attempt.attempts > limit) {
        // Every attempt counted so far ended without a word: the process did not survive it.
        return give_up("processing did not finish in " + std::to_string(attempt.attempts - 1) +
                       " attempts (the process stopped while filing it)");
    }
    auto outcome = process_one(attempt.id);
    if (outcome) {
        if (*outcome)
            (**outcome).attempt = attempt.attempts;
        return outcome;
    }
    const std::string cause = outcome.error().message();
    if (attempt.attempts >= limit) {
        return give_up("filing failed " + std::to_string(attempt.attempts) +
                       " times; the last time: " + cause);
    }
    spdlog::warn("incoming {}: attempt {} of {} failed, to be tried again: {}", attempt.id,
                 attempt.attempts, limit, cause);
    if (auto recorded = m_incoming.record_failure(attempt.id, cause, m_clock.now()); !recorded) {
        return std::unexpected(recorded.error());
    }
    ProcessOutcome failed;
    failed.incoming_id = attempt.id;
    failed.attempt = attempt.attempts;
    failed.failure = cause;
    return std::optional<ProcessOutcome>(std::move(failed));
}

Result<std::vector<store::IncomingRecord>> IncomingMail::backups() {
    return m_incoming.list(store::IncomingState::backup);
}

Result<store::IncomingRecord> IncomingMail::backup(long long id) {
    auto record = m_incoming.get(id);
    if (!record)
        return std::unexpected(record.error());
    if (!*record || (*record)->state != store::IncomingState::backup) {
        return fail(Errc::not_found,
                    "no email backup " + std::to_string(id) + " (`backup list` shows them)");
    }
    return std::move(**record);
}

Result<void> IncomingMail::delete_backup(long long id, const std::string& actor) {
    auto deleted = m_incoming.delete_backup(id);
    if (!deleted)
        return std::unexpected(deleted.error());
    if (!*deleted) {
        return fail(Errc::not_found,
                    "no email backup " + std::to_string(id) + " (`backup list` shows them)");
    }
    return m_audit.record(m_clock.now(), actor, "backup.delete", std::to_string(id));
}

Result<std::optional<ProcessOutcome>> IncomingMail::process_one(long long id) {
    return store::in_transaction(
        m_database, "processing a fetched mail", [&]() -> Result<std::optional<ProcessOutcome>> {
            auto claimed = m_incoming.claim(id);
            if (!claimed)
                return std::unexpected(claimed.error());
            if (!*claimed)
                return std::optional<ProcessOutcome>();
            // Whatever goes wrong in one mail stays with that mail (and rolls back its work).
            try {
                auto outcome = file_mail(std::move(**claimed));
                if (!outcome)
                    return std::unexpected(outcome.error());
                return std::optional<ProcessOutcome>(std::move(*outcome));
            } catch (const std::exception& e) {
                return fail(Errc::internal,
                            std::string("unexpected error while filing: ") + e.what());
            }
        });
}

Result<ProcessOutcome> IncomingMail::file_mail(store::IncomingRecord record) {
    ProcessOutcome outcome;
    outcome.incoming_id = record.id;
    auto keep_as_backup = [&](const std::string& cause) -> Result<ProcessOutcome> {
        if (auto marked = m_incoming.mark_backup(record.id, cause, m_clock.now()); !marked) {
            return std::unexpected(marked.error());
        }
        spdlog::warn("incoming {}: kept as an email backup: {}", record.id, cause);
        outcome.cause = cause;
        return outcome;
    };

    auto max_size = m_properties.get_int(kMailboxModule, kMailboxMaxSize);
    if (!max_size)
        return std::unexpected(max_size.error());
    if (record.size > *max_size) {
        return keep_as_backup("the mail is " + std::to_string(record.size) +
                              " bytes, larger than the limit of " + std::to_string(*max_size) +
                              " bytes (" + kMailboxModule + " / " + kMailboxMaxSize + ")");
    }
    auto scratch = ScratchDir::create(m_work_dir);
    if (!scratch)
        return std::unexpected(scratch.error());
    const auto raw = scratch->file("raw");
    if (auto written = write_bytes(raw, record.raw.value_or("")); !written) {
        return std::unexpected(written.error());
    }
    record.raw.reset();  // from here on the file is read: a large mail is not held twice
    auto summary = mime::read_summary(raw);
    if (!summary)
        return keep_as_backup("the mail cannot be parsed: " + summary.error().message());
    auto document = mime::MimeDocument::parse_file(raw, true);
    if (!document) {
        return keep_as_backup("the mail cannot be parsed: " + document.error().message());
    }

    std::filesystem::path message = raw;
    DecryptReport report;
    if (document->layout() != mime::Layout::none) {
        auto keys = this->keys();
        if (!keys)
            return std::unexpected(keys.error());
        std::vector<crypto::DecryptionIdentity> identities = (*keys)->identities;
        // The identities of the mail's own addresses first; any other server identity a
        // RecipientInfo names still opens it (mail forwarded between our addresses).
        std::stable_partition(identities.begin(), identities.end(), [&](const auto& identity) {
            for (const auto& address : identity.certificate.addresses()) {
                if (std::find(summary->recipients.begin(), summary->recipients.end(), address) !=
                    summary->recipients.end()) {
                    return true;
                }
            }
            return false;
        });
        const crypto::TrustAnchors* anchors = &(*keys)->anchors;
        SmimeEngine engine(m_work_dir, {.max_message_bytes = static_cast<std::uintmax_t>(*max_size),
                                        .max_layers = 4});
        const auto opened = scratch->file("opened");
        auto decrypted = engine.decrypt(raw, identities, *anchors, opened);
        if (!decrypted) {
            std::string cause = "cannot decrypt: " + decrypted.error().message();
            bool ours = false;
            for (const auto& identity : identities) {
                for (const auto& address : identity.certificate.addresses()) {
                    ours = ours || std::find(summary->recipients.begin(), summary->recipients.end(),
                                             address) != summary->recipients.end();
                }
            }
            if (!ours) {
                cause += " (no server certificate for " +
                         (summary->recipients.empty() ? std::string("its recipients")
                                                      : join(summary->recipients, ", ")) +
                         ")";
            }
            return keep_as_backup(cause);
        }
        report = std::move(*decrypted);
        message = opened;
    }

    const auto attachment_dir = scratch->path() / "attachments";
    std::error_code ec;
    std::filesystem::create_directory(attachment_dir, ec);
    if (!ec)
        std::filesystem::permissions(attachment_dir, std::filesystem::perms::owner_all, ec);
    if (ec)
        return fail(Errc::io, "cannot create " + attachment_dir.string() + ": " + ec.message());
    auto limits = parse_limits(m_properties);
    if (!limits)
        return std::unexpected(limits.error());
    auto parsed = mime::parse_message(message, attachment_dir, *limits);
    if (!parsed) {
        return keep_as_backup("the mail cannot be parsed: " + parsed.error().message());
    }
    const std::string digest = content_digest(*parsed);

    // The same mail fetched twice (sent to two of our addresses) is one ticket message; a
    // different mail that reuses a Message-ID is filed like any other, with a note.
    std::vector<std::string> notes;
    if (!parsed->message_id.empty()) {
        auto earlier = m_tickets.store().incoming_with_message_id(parsed->message_id);
        if (!earlier)
            return std::unexpected(earlier.error());
        for (const auto& copy : *earlier) {
            if (copy.content_digest != digest)
                continue;
            if (auto marked = m_incoming.mark_filed(record.id); !marked) {
                return std::unexpected(marked.error());
            }
            outcome.filed = true;
            outcome.ticket = copy.ticket;
            spdlog::info("incoming {}: a copy of ticket message {}, not filed again", record.id,
                         copy.id);
            return outcome;
        }
        if (!earlier->empty()) {
            outcome.reused_message_id = true;
            notes.push_back("this mail reuses the Message-ID <" + parsed->message_id +
                            "> of a different mail (ticket " +
                            std::to_string(earlier->front().ticket) +
                            "); it is not a copy of that mail");
        }
    }

    std::vector<std::string> reply_ids;
    if (!parsed->in_reply_to.empty())
        reply_ids.push_back(parsed->in_reply_to);
    reply_ids.insert(reply_ids.end(), parsed->references.rbegin(), parsed->references.rend());
    auto choice = m_tickets.choose(parsed->subject, reply_ids);
    if (!choice)
        return std::unexpected(choice.error());
    long long ticket = 0;
    if (choice->existing) {
        ticket = *choice->existing;
    } else {
        const std::string customer = parsed->from ? parsed->from->address : summary->from_address;
        auto created =
            m_tickets.store().create(parsed->subject.empty() ? "(no subject)" : parsed->subject,
                                     customer, choice->follows_closed, m_clock.now());
        if (!created)
            return std::unexpected(created.error());
        ticket = *created;
        outcome.new_ticket = true;
    }

    store::TicketMessageRecord m;
    m.ticket = ticket;
    m.direction = "in";
    m.incoming_id = record.id;
    m.message_id = parsed->message_id;
    m.from = parsed->from ? parsed->from->display() : "";
    m.to_json = json_text(displays(parsed->to));
    m.cc_json = json_text(displays(parsed->cc));
    m.content_digest = digest;
    if (!notes.empty())
        m.report_json = json_text(nlohmann::json{{"notes", notes}});
    m.subject = parsed->subject;
    m.date = parsed->date.value_or(record.received_at);
    m.created_at = m_clock.now();
    m.text =
        report.mixed_parts ? std::optional<std::string>(mixed_parts_text(report)) : parsed->text;
    if (parsed->html && !report.mixed_parts)
        m.html = mime::sanitize_html(*parsed->html);
    m.encrypted = report.encrypted;
    if (report.encrypted) {
        m.encryption_json = json_text({{"certificate", report.certificate_sha256},
                                       {"cipher", report.content_cipher},
                                       {"integrity_protected", report.integrity_protected},
                                       {"mixed_parts", report.mixed_parts}});
    }
    if (report.signature) {
        const auto& s = *report.signature;
        m.signature_json = json_text({{"signer", s.signer},
                                      {"signer_subject", s.signer_subject},
                                      {"signer_sha256", s.signer_sha256},
                                      {"valid", s.valid},
                                      {"trusted", s.trusted},
                                      {"matches_from", s.matches_from},
                                      {"problem", s.problem}});
    }
    for (const auto& a : parsed->attachments) {
        auto bytes = read_file(a.file, std::numeric_limits<std::size_t>::max());
        if (!bytes)
            return std::unexpected(bytes.error());
        store::AttachmentRecord attachment;
        attachment.name = a.name;
        attachment.content_type = a.content_type;
        attachment.size = static_cast<long long>(a.size);
        attachment.content_id = a.content_id;
        attachment.is_inline = a.is_inline;
        attachment.content = std::move(*bytes);
        m.attachments.push_back(std::move(attachment));
    }
    auto added = m_tickets.store().add_message(m);
    if (!added)
        return std::unexpected(added.error());
    if (auto marked = m_incoming.mark_filed(record.id); !marked) {
        return std::unexpected(marked.error());
    }
    outcome.filed = true;
    outcome.ticket = ticket;
    outcome.ticket_message = *added;
    spdlog::info("incoming {}: filed into ticket {} ({})", record.id, ticket, choice->reason);
    return outcome;
}

}  // namespace casecrypt::services
