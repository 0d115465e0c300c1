// OutgoingMail: everything between "an engineer or a workflow sends a mail" and the durable
// outbox (DESIGN.md, "Outgoing mail"): build the message, decide whether it is encrypted,
// encrypt it (one copy for To/Cc, one separately encrypted copy per Bcc recipient, so no
// RecipientInfo discloses a Bcc), and commit every copy to the outbox before any delivery.
// Delivery is the Delivery class's business. Not thread-safe (one database connection).
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/error.h"
#include "services/certificate_resolver.h"
#include "services/properties.h"
#include "store/outbox_store.h"

namespace casecrypt::services {

struct SendRequest {
    std::string from;
    std::vector<std::string> to, cc, bcc;  // address list entries ("Name <a@b>" or "a@b")
    std::string subject;
    std::string text;
    std::optional<std::string> html;
    std::vector<std::filesystem::path> attachments;
    std::optional<bool> encrypt;  // nullopt: the default (cmas-core-server / mail.encryption)
};

struct RecipientReport {
    std::string address;
    std::string kind;  // to, cc, bcc
    std::optional<Resolution> certificate;
    std::string outcome;  // "encrypted", "sent unencrypted: ...", "rejected: ..."
};

struct SendResult {
    std::string mail_id;
    bool encrypted = false;
    bool rejected = false;
    std::string decision;  // one sentence
    std::vector<RecipientReport> recipients;
    std::vector<long long> outbox_ids;
};

class OutgoingMail {
public:
    OutgoingMail(CertificateResolver& resolver, store::OutboxStore& outbox, Properties& properties,
                 const Clock& clock, std::filesystem::path work_dir)
        : m_resolver(resolver),
          m_outbox(outbox),
          m_properties(properties),
          m_clock(clock),
          m_work_dir(std::move(work_dir)) {}

    // Errc::rejected when encryption is asked for while it is switched off, or for bad input.
    Result<SendResult> send(const SendRequest& request);

    // A rejected copy (no certificate for someone): decide again with today's certificates
    // and policy; a failed copy: queue it again. Errc::rejected when it still cannot go.
    Result<SendResult> retry(long long outbox_id);

private:
    Result<TimePoint> expiry();

    CertificateResolver& m_resolver;
    store::OutboxStore& m_outbox;
    Properties& m_properties;
    const Clock& m_clock;
    std::filesystem::path m_work_dir;
};

// The per-recipient report as JSON text (kept in the outbox, printed by the CLI).
std::string report_json(const SendResult& result);

}  // namespace casecrypt::services
