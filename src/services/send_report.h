// What sending a mail decided and did, as values: the decision, one sentence for people, what
// happened to each recipient with the certificate that was used, the outbox copies and the
// outcome of the delivery attempt. Returned by OutgoingMail / Outbox and kept with the outbox
// copy (the services serialise it for the database, services/send_report_codec.h); every edge
// (CLI, web, Lua) serialises it in its own way. No store records, no JSON text, no CLI wording.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/error.h"

namespace casecrypt::services {

// What the edge asks for.
struct SendRequest {
    std::string from;
    std::vector<std::string> to, cc, bcc;  // address list entries ("Name <a@b>" or "a@b")
    std::string subject;
    std::string text;
    std::optional<std::string> html;
    std::vector<std::filesystem::path> attachments;  // named by their file names
    // Parallel to `attachments` (or shorter): each one's Content-Type ("application/pdf"); an
    // entry that is missing or empty is guessed from the file name.
    std::vector<std::string> attachment_types;
    std::vector<std::string> reply_to;  // Reply-To entries; none: no Reply-To field
    std::optional<bool> encrypt;        // nullopt: the default (cmas-core-server / mail.encryption)
    // "unencrypted" or "reject" for this one mail; nullopt: the property
    // cmas-core-server / mail.encryption.missing.certificate. Errc::rejected for another word.
    std::optional<std::string> missing_certificate_policy;
    // A machine's mail (a workflow's): carries Auto-Submitted: auto-generated (RFC 3834), so
    // auto-responders do not answer it and our own workflows do not fire on it.
    bool auto_submitted = false;
    // Decide only: resolve certificates and apply the policy, build, encrypt, queue and record
    // nothing. The report has the decision and each recipient's outcome, and no outbox ids.
    bool dry_run = false;
};

enum class SendDecision {
    encrypted,                        // encrypted to every recipient
    unencrypted_missing_certificate,  // someone has no certificate; the policy lets it go
    unencrypted_not_requested,        // encryption is on, this mail asked for none
    unencrypted_switched_off,         // mail.encryption = false
    rejected,                         // someone has no certificate; the policy refuses
    queued_again,                     // a failed copy made ready again (outbox retry)
};
// "encrypted", "unencrypted", "rejected", "queued again" (a word; the sentence is in the report).
std::string to_string(SendDecision decision);

enum class RecipientKind { to, cc, bcc };
std::string to_string(RecipientKind kind);  // "to", "cc", "bcc"

enum class RecipientOutcome {
    encrypted,
    unencrypted_no_certificate,
    unencrypted_other_lacks_certificate,
    unencrypted_not_requested,  // encryption not requested or switched off
    rejected_no_certificate,
    rejected_other_lacks_certificate,
    no_certificate,  // a retry that found none (the copy stays rejected or goes unencrypted)
};
// The words of the report: "encrypted", "sent unencrypted: no certificate", ...
std::string to_string(RecipientOutcome outcome);

// The certificate a recipient's copy was encrypted to.
struct UsedCertificate {
    enum class Source { server, store, ldap };
    long long id = 0;
    std::string fingerprint_sha256;  // hex
    std::string serial;              // hex
    TimePoint not_after{};
    Source source = Source::store;
};
std::string to_string(UsedCertificate::Source source);  // "server", "store", "ldap"

struct RecipientReport {
    std::string address;
    RecipientKind kind = RecipientKind::to;
    RecipientOutcome outcome = RecipientOutcome::encrypted;
    std::optional<UsedCertificate> certificate;
};

// The state of one outbox copy (DESIGN.md, "Outgoing mail").
enum class OutboxState { queued, sending, sent, failed, rejected };
std::string to_string(OutboxState state);  // "queued", "sending", ...

// One delivery attempt of one copy.
struct DeliveryOutcome {
    long long outbox_id = 0;
    OutboxState state = OutboxState::queued;
    std::string detail;  // the server's reply or the error
};

struct SendReport {
    std::string mail_id;  // the Message-ID, without <>
    SendDecision decision = SendDecision::encrypted;
    bool encrypted = false;  // the copies go encrypted (also after queued_again)
    std::string sentence;    // the decision for people, one sentence
    // The missing-certificate policy this mail set for itself (SendRequest), kept with the
    // copy so that a retry applies it again; none: the property's, as it is at the time.
    std::optional<std::string> missing_certificate_policy;
    std::vector<RecipientReport> recipients;
    std::vector<long long> outbox_ids;
    std::vector<DeliveryOutcome> delivery;  // filled by Outbox::send_now / retry_now
    std::optional<Error> delivery_error;    // why no attempt could start (the copies wait)

    bool rejected() const { return decision == SendDecision::rejected; }
};

}  // namespace casecrypt::services
