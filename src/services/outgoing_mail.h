// OutgoingMail: everything between "an engineer or a workflow sends a mail" and the durable
// outbox (DESIGN.md, "Outgoing mail"): build the message, decide whether it is encrypted,
// encrypt it (one copy for To/Cc, one separately encrypted copy per Bcc recipient, so no
// RecipientInfo discloses a Bcc), and commit every copy to the outbox before any delivery.
// The message is built once into a work file; the encryption streams that file into the
// envelope file, and the outbox reads the copy from the file (no whole-mail string here).
// Delivery is the Delivery class's business; Outbox (services/outbox.h) joins the two for the
// edges. Internal to services. Not thread-safe (one database connection).
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/error.h"
#include "services/send_report.h"

namespace casecrypt::store {
class OutboxStore;
}

namespace casecrypt::services {

class CertificateResolver;
class Properties;

// Threading of a reply (RFC 5322 section 3.6.4), ids without angle brackets.
struct ReplyTo {
    std::string in_reply_to;
    std::vector<std::string> references;
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

    // Errc::rejected when encryption is asked for while it is switched off, or for bad input;
    // Errc::io when an attachment cannot be read. A mail the policy refuses is no error: its
    // report's decision is `rejected` and it waits in the outbox for a retry.
    Result<SendReport> send(const SendRequest& request,
                            const std::optional<ReplyTo>& reply_to = std::nullopt);

    // A rejected copy (no certificate for someone): decide again with today's certificates
    // and policy; a failed copy: queue it again. Errc::rejected when it still cannot go.
    Result<SendReport> retry(long long outbox_id);

private:
    Result<TimePoint> expiry();

    CertificateResolver& m_resolver;
    store::OutboxStore& m_outbox;
    Properties& m_properties;
    const Clock& m_clock;
    std::filesystem::path m_work_dir;
};

}  // namespace casecrypt::services
