#include "services/incoming_mail.h"

#include <algorithm>
#include <fstream>

#include "core/file_io.h"
#include "core/iso_time.h"
#include "core/log.h"
#include "core/output_file.h"
#include "core/scratch_dir.h"
#include "core/text.h"
#include "crypto/sha256.h"
#include "mime/message_parser.h"
#include "mime/mime_document.h"
#include "services/certificate_admin.h"
#include "services/key_ring.h"
#include "services/smime_engine.h"
#include "store/audit_log.h"
#include "store/guarded.h"
#include "store/incoming_store.h"
#include "transport/mailbox.h"

namespace casecrypt::services {

struct IncomingMail::Keys {
    std::vector<crypto::DecryptionIdentity> identities;
    crypto::TrustAnchors anchors;
};

namespace {

std::vector<std::string> displays(const std::vector<mime::MailAddress>& addresses) {
    std::vector<std::string> out;
    for (const auto& a : addresses)
        out.push_back(a.display());
    return out;
}

BackupView backup_view(const store::IncomingRecord& r) {
    return BackupView{r.id,   r.account,     r.subject,  r.from_address, r.message_id,
                      r.size, r.received_at, r.error_at, r.attempts,     r.error};
}

Error no_backup(long long id) {
    return Error(Errc::not_found, "no email backup " + std::to_string(id));
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

// RFC 3834 section 5: anything but "no" is a machine's mail; Precedence is the older convention
// of lists and vacation programs.
bool is_automatic(const std::string& auto_submitted, const std::string& precedence) {
    if (!auto_submitted.empty() && auto_submitted != "no")
        return true;
    return precedence == "bulk" || precedence == "junk" || precedence == "list" ||
           precedence == "auto_reply";
}

}  // namespace

std::string to_string(MailOutcome outcome) {
    switch (outcome) {
        case MailOutcome::new_ticket:
            return "new ticket";
        case MailOutcome::appended:
            return "appended";
        case MailOutcome::duplicate:
            return "duplicate";
        case MailOutcome::backup:
            return "backup";
        case MailOutcome::failed:
            return "failed";
    }
    return "failed";
}

IncomingMail::IncomingMail(store::Database& database, store::IncomingStore& incoming,
                           MailAccounts& accounts, CertificateAdmin& certificates, Tickets& tickets,
                           Workflows& workflows, Properties& properties, store::AuditLog& audit,
                           const Clock& clock, std::filesystem::path work_dir)
    : m_database(database),
      m_incoming(incoming),
      m_accounts(accounts),
      m_certificates(certificates),
      m_tickets(tickets),
      m_workflows(workflows),
      m_properties(properties),
      m_audit(audit),
      m_clock(clock),
      m_work_dir(std::move(work_dir)) {}

IncomingMail::~IncomingMail() = default;

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
            auto stored = m_incoming.add(record, file);
            std::filesystem::remove(file);
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
        m_keys = std::make_unique<Keys>(Keys{std::move(*identities), std::move(*anchors)});
    }
    return m_keys.get();
}

Result<bool> IncomingMail::from_our_address(const std::string& sender) {
    if (sender.empty())
        return false;
    if (!m_our_addresses) {
        auto servers = m_certificates.list(CertificateKind::server);
        if (!servers)
            return std::unexpected(servers.error());
        m_our_addresses.emplace();
        for (const auto& server : *servers) {
            for (const auto& address : server.addresses)
                m_our_addresses->push_back(to_lower_ascii(address));
        }
    }
    const std::string address = to_lower_ascii(sender);
    return std::find(m_our_addresses->begin(), m_our_addresses->end(), address) !=
           m_our_addresses->end();
}

Result<ProcessSummary> IncomingMail::process_pending() {
    m_keys.reset();  // certificates imported since the last batch count
    m_our_addresses.reset();
    ProcessSummary summary;
    for (long long after = 0;;) {
        auto started = m_incoming.start_attempt(after);
        if (!started)
            return std::unexpected(started.error());
        if (!*started)
            break;
        after = (*started)->id;
        auto outcome = attempt((*started)->id, (*started)->attempts, (*started)->account);
        if (!outcome)
            return std::unexpected(outcome.error());
        if (!*outcome)
            continue;  // another process has it
        switch ((**outcome).outcome) {
            case MailOutcome::new_ticket:
                ++summary.new_tickets;
                break;
            case MailOutcome::appended:
                ++summary.appended;
                break;
            case MailOutcome::duplicate:
                ++summary.duplicates;
                break;
            case MailOutcome::backup:
                ++summary.backups;
                break;
            case MailOutcome::failed:
                ++summary.failed;
                break;
        }
        summary.outcomes.push_back(std::move(**outcome));
    }
    run_workflows();
    return summary;
}

void IncomingMail::run_workflows() {
    // The mails are committed: a workflow that fails now changes nothing about them.
    if (auto ran = m_workflows.dispatch_pending(); !ran) {
        spdlog::warn("the workflows of the mails just filed could not run: {}",
                     ran.error().message());
    }
}

Result<ProcessOutcome> IncomingMail::retry_backup(long long id, const std::string& actor) {
    auto requeued = m_incoming.requeue_backup(id);
    if (!requeued)
        return std::unexpected(requeued.error());
    if (!*requeued)
        return std::unexpected(no_backup(id));
    if (auto audited = m_audit.record(m_clock.now(), actor, "backup.retry", std::to_string(id));
        !audited) {
        return std::unexpected(audited.error());
    }
    m_keys.reset();
    m_our_addresses.reset();
    auto started = m_incoming.start_attempt_at(id);
    if (!started)
        return std::unexpected(started.error());
    std::optional<ProcessOutcome> outcome;
    if (*started) {
        auto attempted = attempt((*started)->id, (*started)->attempts, (*started)->account);
        if (!attempted)
            return std::unexpected(attempted.error());
        outcome = std::move(*attempted);
    }
    if (!outcome) {
        return fail(Errc::io, "email backup " + std::to_string(id) +
                                  " is being processed by another process");
    }
    run_workflows();
    return *outcome;
}

Result<std::optional<ProcessOutcome>> IncomingMail::attempt(long long id, int attempts,
                                                            const std::string& account) {
    auto max_attempts = m_properties.get_int(kMailboxModule, kMailboxMaxAttempts);
    if (!max_attempts)
        return std::unexpected(max_attempts.error());
    const long long limit = *max_attempts;  // at least 1 (its range)
    auto give_up = [&](const std::string& cause) -> Result<std::optional<ProcessOutcome>> {
        if (auto marked = m_incoming.mark_backup(id, cause, m_clock.now()); !marked) {
            return std::unexpected(marked.error());
        }
        spdlog::warn("incoming {}: kept as an email backup: {}", id, cause);
        ProcessOutcome outcome;
        outcome.incoming_id = id;
        outcome.account = account;
        outcome.outcome = MailOutcome::backup;
        outcome.attempt = attempts;
        outcome.cause = cause;
        return std::optional<ProcessOutcome>(std::move(outcome));
    };
    if (attempts > limit) {
        // Every attempt counted so far ended without a word: the process did not survive it.
        return give_up("processing did not finish in " + std::to_string(attempts - 1) +
                       " attempts (the process stopped while filing it)");
    }
    auto outcome = process_one(id);
    if (outcome) {
        if (*outcome) {
            (**outcome).attempt = attempts;
            (**outcome).account = account;
        }
        return outcome;
    }
    const std::string cause = outcome.error().message();
    if (attempts >= limit) {
        return give_up("filing failed " + std::to_string(attempts) +
                       " times; the last time: " + cause);
    }
    spdlog::warn("incoming {}: attempt {} of {} failed, to be tried again: {}", id, attempts, limit,
                 cause);
    if (auto recorded = m_incoming.record_failure(id, cause, m_clock.now()); !recorded) {
        return std::unexpected(recorded.error());
    }
    ProcessOutcome failed;
    failed.incoming_id = id;
    failed.account = account;
    failed.outcome = MailOutcome::failed;
    failed.attempt = attempts;
    failed.cause = cause;
    return std::optional<ProcessOutcome>(std::move(failed));
}

Result<std::vector<BackupView>> IncomingMail::backups() {
    auto records = m_incoming.list(store::IncomingState::backup);
    if (!records)
        return std::unexpected(records.error());
    std::vector<BackupView> out;
    out.reserve(records->size());
    for (const auto& r : *records)
        out.push_back(backup_view(r));
    return out;
}

Result<BackupView> IncomingMail::backup(long long id) {
    auto record = m_incoming.summary(id);
    if (!record)
        return std::unexpected(record.error());
    if (!*record || (*record)->state != store::IncomingState::backup)
        return std::unexpected(no_backup(id));
    return backup_view(**record);
}

Result<long long> IncomingMail::save_backup(long long id, const std::filesystem::path& out) {
    auto record = m_incoming.summary(id);
    if (!record)
        return std::unexpected(record.error());
    if (!*record || (*record)->state != store::IncomingState::backup)
        return std::unexpected(no_backup(id));
    auto file = OutputFile::open(out);
    if (!file)
        return std::unexpected(file.error());
    auto written =
        m_incoming.read_raw(id, [&](std::string_view chunk) { return file->write(chunk); });
    if (!written)
        return std::unexpected(written.error());
    if (auto committed = file->commit(); !committed)
        return std::unexpected(committed.error());
    return *written;
}

Result<void> IncomingMail::delete_backup(long long id, const std::string& actor) {
    auto deleted = m_incoming.delete_backup(id);
    if (!deleted)
        return std::unexpected(deleted.error());
    if (!*deleted)
        return std::unexpected(no_backup(id));
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
                auto outcome = file_mail(**claimed);
                if (!outcome)
                    return std::unexpected(outcome.error());
                return std::optional<ProcessOutcome>(std::move(*outcome));
            } catch (const std::exception& e) {
                return fail(Errc::internal,
                            std::string("unexpected error while filing: ") + e.what());
            }
        });
}

Result<ProcessOutcome> IncomingMail::file_mail(store::IncomingRecord& record) {
    ProcessOutcome outcome;
    outcome.incoming_id = record.id;
    outcome.account = record.account;
    auto keep_as_backup = [&](const std::string& cause) -> Result<ProcessOutcome> {
        if (auto marked = m_incoming.mark_backup(record.id, cause, m_clock.now()); !marked) {
            return std::unexpected(marked.error());
        }
        spdlog::warn("incoming {}: kept as an email backup: {}", record.id, cause);
        outcome.outcome = MailOutcome::backup;
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
    // The stored bytes into a scratch file, a chunk at a time: from here on the file is read.
    {
        std::ofstream file(raw, std::ios::binary | std::ios::trunc);
        auto written = m_incoming.read_raw(record.id, [&](std::string_view chunk) -> Result<void> {
            if (!file.write(chunk.data(), static_cast<std::streamsize>(chunk.size())))
                return fail(Errc::io, "cannot write " + raw.string());
            return {};
        });
        if (!written)
            return std::unexpected(written.error());
        if (!file.flush())
            return fail(Errc::io, "cannot write " + raw.string());
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
    // One parse of the whole mail (the summary for listings was read when it was fetched): a
    // plain mail is read for its ticket right away; an S/MIME one stops at its header and goes
    // to the S/MIME engine, and what that opens is read for the ticket.
    auto parsed = mime::parse_message(raw, attachment_dir, *limits, true);
    if (!parsed) {
        return keep_as_backup("the mail cannot be parsed: " + parsed.error().message());
    }
    if (!parsed->has_header) {
        return keep_as_backup("the mail cannot be parsed: " + raw.filename().string() +
                              " has no message header");
    }

    // The outer header says whether a machine sent it (an encrypted mail's inner one may not).
    bool automatic = is_automatic(parsed->auto_submitted, parsed->precedence);
    DecryptReport report;
    if (parsed->smime) {
        const std::vector<std::string> recipients = parsed->recipients;
        auto keys = this->keys();
        if (!keys)
            return std::unexpected(keys.error());
        std::vector<crypto::DecryptionIdentity> identities = (*keys)->identities;
        // The identities of the mail's own addresses first; any other server identity a
        // RecipientInfo names still opens it (mail forwarded between our addresses).
        std::stable_partition(identities.begin(), identities.end(), [&](const auto& identity) {
            for (const auto& address : identity.certificate.addresses()) {
                if (std::find(recipients.begin(), recipients.end(), address) != recipients.end()) {
                    return true;
                }
            }
            return false;
        });
        const crypto::TrustAnchors* anchors = &(*keys)->anchors;
        SmimeEngine engine(m_work_dir, {.max_message_bytes = static_cast<std::uintmax_t>(*max_size),
                                        .max_layers = 4});
        const auto opened = scratch->file("opened");
        // The parse above goes on in the engine: the mail is not parsed again before it is
        // decrypted (unless it begins with an mbox "From " line, which the engine reads its way).
        auto decrypted = parsed->document
                             ? engine.decrypt(raw, *parsed->document, identities, *anchors, opened)
                             : engine.decrypt(raw, identities, *anchors, opened);
        if (!decrypted) {
            std::string cause = "cannot decrypt: " + decrypted.error().message();
            bool ours = false;
            for (const auto& identity : identities) {
                for (const auto& address : identity.certificate.addresses()) {
                    ours = ours || std::find(recipients.begin(), recipients.end(), address) !=
                                       recipients.end();
                }
            }
            if (!ours) {
                cause +=
                    " (no server certificate for " +
                    (recipients.empty() ? std::string("its recipients") : join(recipients, ", ")) +
                    ")";
            }
            return keep_as_backup(cause);
        }
        report = std::move(*decrypted);
        parsed = mime::parse_message(opened, attachment_dir, *limits);
        if (!parsed) {
            return keep_as_backup("the mail cannot be parsed: " + parsed.error().message());
        }
    }
    IncomingMessage in;
    in.incoming_id = record.id;
    in.message_id = parsed->message_id;
    in.in_reply_to = parsed->in_reply_to;
    in.references = parsed->references;
    in.from = parsed->from ? parsed->from->display() : "";
    in.customer = parsed->from ? parsed->from->address : record.from_address;
    in.to = displays(parsed->to);
    in.cc = displays(parsed->cc);
    in.subject = parsed->subject;
    in.date = parsed->date.value_or(record.received_at);
    in.content_digest = content_digest(*parsed);
    in.text =
        report.mixed_parts ? std::optional<std::string>(mixed_parts_text(report)) : parsed->text;
    if (parsed->html && !report.mixed_parts)
        in.html = mime::sanitize_html(*parsed->html);
    if (report.encrypted) {
        EncryptionView e;
        e.received = true;
        e.certificate = report.certificate_sha256;
        e.cipher = report.content_cipher;
        e.integrity_protected = report.integrity_protected;
        e.mixed_parts = report.mixed_parts;
        in.encryption = std::move(e);
    }
    if (report.signature) {
        const auto& s = *report.signature;
        in.signature = SignatureView{s.signer,  s.signer_subject, s.signer_sha256, s.valid,
                                     s.trusted, s.matches_from,   s.problem};
    }
    for (const auto& a : parsed->attachments) {
        in.attachments.push_back(IncomingAttachment{a.name, a.content_type,
                                                    static_cast<long long>(a.size), a.content_id,
                                                    a.is_inline, a.file});
    }
    automatic = automatic || is_automatic(parsed->auto_submitted, parsed->precedence);
    if (!automatic) {
        auto ours = from_our_address(in.customer);
        if (!ours)
            return std::unexpected(ours.error());
        automatic = *ours;
    }
    in.automatic = automatic;
    auto filed = m_tickets.file_incoming(in);
    if (!filed)
        return std::unexpected(filed.error());
    // Recorded in this mail's transaction; run after its commit (process_pending).
    if (!in.automatic && filed->kind != FilingKind::duplicate) {
        auto recorded = m_workflows.record(filed->kind == FilingKind::new_ticket
                                               ? WorkflowEvent::ticket_created
                                               : WorkflowEvent::email_received,
                                           filed->ticket, filed->ticket_message);
        if (!recorded)
            return std::unexpected(recorded.error());
    } else if (in.automatic && filed->kind != FilingKind::duplicate) {
        spdlog::info("incoming {}: sent by a machine or from our own address; fires no workflow",
                     record.id);
    }
    if (auto marked = m_incoming.mark_filed(record.id); !marked) {
        return std::unexpected(marked.error());
    }
    outcome.ticket = filed->ticket;
    outcome.ticket_message = filed->ticket_message;
    outcome.reused_message_id = filed->reused_message_id;
    switch (filed->kind) {
        case FilingKind::duplicate:
            outcome.outcome = MailOutcome::duplicate;
            spdlog::info("incoming {}: {}, not filed again", record.id, filed->reason);
            return outcome;
        case FilingKind::new_ticket:
            outcome.outcome = MailOutcome::new_ticket;
            break;
        case FilingKind::appended:
            outcome.outcome = MailOutcome::appended;
            break;
    }
    spdlog::info("incoming {}: filed into ticket {} ({})", record.id, filed->ticket, filed->reason);
    return outcome;
}

}  // namespace casecrypt::services
