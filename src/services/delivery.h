// Delivery: takes due copies from the outbox and hands them to the transport, one at a time,
// claimed with a lease so that several workers (or nodes) never send the same copy together.
// Connection errors and 4xx replies retry with exponential backoff (mail.outbox.retry.seconds,
// doubling, at most 1 h) until the copy's maximum age; 5xx replies fail it with the server's reply
// kept. A copy's bytes go from the database into a work file for the transport without a
// decoded copy in memory. Internal to services (Outbox is what edges call). Not thread-safe (one
// database connection); run one per worker.
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/error.h"
#include "services/send_report.h"

namespace casecrypt::store {
class OutboxStore;
struct OutboxEntry;
}  // namespace casecrypt::store
namespace casecrypt::transport {
class MailTransport;
}

namespace casecrypt::services {

class Properties;

// Makes the transport from the properties; tests replace it to inject faults.
using TransportFactory =
    std::function<Result<std::unique_ptr<transport::MailTransport>>(Properties&)>;

class Delivery {
public:
    Delivery(store::OutboxStore& outbox, Properties& properties, const Clock& clock,
             std::filesystem::path data_dir, TransportFactory factory = {});
    ~Delivery();  // where MailTransport is complete
    Delivery(const Delivery&) = delete;
    Delivery& operator=(const Delivery&) = delete;

    // Delivers every copy that is due now (until none is left).
    Result<std::vector<DeliveryOutcome>> deliver_due();
    // Delivers these copies now, if they are waiting (right after `mail send`).
    Result<std::vector<DeliveryOutcome>> deliver(const std::vector<long long>& ids);

private:
    Result<DeliveryOutcome> attempt(const store::OutboxEntry& entry,
                                    transport::MailTransport& transport);
    Result<transport::MailTransport*> transport();

    store::OutboxStore& m_outbox;
    Properties& m_properties;
    const Clock& m_clock;
    std::filesystem::path m_data_dir;
    TransportFactory m_factory;
    std::unique_ptr<transport::MailTransport> m_transport;
};

}  // namespace casecrypt::services
