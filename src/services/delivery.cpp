#include "services/delivery.h"

#include <algorithm>

#include "core/file_io.h"
#include "core/iso_time.h"
#include "core/log.h"
#include "core/scratch_dir.h"
#include "services/properties.h"
#include "store/outbox_store.h"
#include "transport/mail_transport.h"

namespace casecrypt::services {
namespace {

constexpr std::chrono::seconds kExtraLease{60};

std::chrono::seconds backoff(int attempts, long long first) {
    const int shift = std::clamp(attempts - 1, 0, 12);
    return std::min(std::chrono::seconds(std::max<long long>(first, 1) << shift),
                    std::chrono::seconds(3600));
}

Result<std::unique_ptr<transport::MailTransport>> transport_from_properties(
    Properties& properties, const std::filesystem::path& data_dir) {
    auto url = properties.get_value(kCoreModule, kTransportUrl);
    if (!url)
        return std::unexpected(url.error());
    if (url->empty()) {
        const auto dir = data_dir / "mail" / "outgoing";
        std::error_code ec;
        std::filesystem::create_directories(dir, ec);
        if (ec)
            return fail(Errc::io, "cannot create " + dir.string() + ": " + ec.message());
        return transport::make_directory_transport(dir);
    }
    transport::SmtpSettings settings;
    settings.url = *url;
    auto user = properties.get_value(kCoreModule, kTransportUser);
    auto password = properties.get_secret(kCoreModule, kTransportPassword);
    auto starttls = properties.get_bool(kCoreModule, kTransportRequireStartTls);
    auto timeout = properties.get_int(kCoreModule, kTransportTimeout);
    if (!user)
        return std::unexpected(user.error());
    if (!password)
        return std::unexpected(password.error());
    if (!starttls)
        return std::unexpected(starttls.error());
    if (!timeout)
        return std::unexpected(timeout.error());
    settings.user = *user;
    settings.password = std::move(*password);
    // A password never travels in clear: with AUTH configured, STARTTLS is required on smtp://
    // (libcurl would otherwise send the mail unauthenticated, or the password over a connection
    // whose STARTTLS an attacker stripped).
    settings.require_starttls = *starttls || !user->empty();
    settings.timeout = std::chrono::seconds(std::max<long long>(1, *timeout));
    return transport::make_smtp_transport(std::move(settings));
}

}  // namespace

Delivery::Delivery(store::OutboxStore& outbox, Properties& properties, const Clock& clock,
                   std::filesystem::path data_dir, TransportFactory factory)
    : m_outbox(outbox),
      m_properties(properties),
      m_clock(clock),
      m_data_dir(std::move(data_dir)),
      m_factory(std::move(factory)) {
    if (!m_factory) {
        const auto dir = m_data_dir;
        m_factory = [dir](Properties& p) { return transport_from_properties(p, dir); };
    }
}

Delivery::~Delivery() = default;

Result<transport::MailTransport*> Delivery::transport() {
    if (!m_transport) {
        auto made = m_factory(m_properties);
        if (!made)
            return std::unexpected(made.error());
        m_transport = std::move(*made);
    }
    return m_transport.get();
}

Result<DeliveryOutcome> Delivery::attempt(const store::OutboxEntry& entry,
                                          transport::MailTransport& transport) {
    auto scratch = ScratchDir::create(m_data_dir / "tmp");
    if (!scratch)
        return std::unexpected(scratch.error());
    const auto file = scratch->file("outgoing");
    auto written = m_outbox.payload_to_file(entry.id, file);
    if (!written)
        return std::unexpected(written.error());
    if (!*written) {  // nothing to send: no attempt can ever succeed
        const std::string detail = "no message kept to send";
        if (auto r = m_outbox.mark_failed(entry.id, detail); !r)
            return std::unexpected(r.error());
        return DeliveryOutcome{entry.id, OutboxState::failed, detail};
    }
    const transport::Envelope envelope{entry.envelope_from, entry.recipients,
                                       std::to_string(entry.id)};
    const auto result = transport.deliver(envelope, file);
    const TimePoint now = m_clock.now();
    DeliveryOutcome outcome{entry.id, OutboxState::sent, result.reply};
    switch (result.status) {
        case transport::DeliveryStatus::delivered:
            if (auto r = m_outbox.mark_sent(entry.id, now); !r)
                return std::unexpected(r.error());
            spdlog::info("outbox {}: delivered ({})", entry.id, result.reply);
            break;
        case transport::DeliveryStatus::temporary_failure:
            if (now >= entry.expires_at) {
                outcome.state = OutboxState::failed;
                outcome.detail = "gave up after " + std::to_string(entry.attempts) +
                                 " attempts: " + result.reply;
                if (auto r = m_outbox.mark_failed(entry.id, outcome.detail); !r)
                    return std::unexpected(r.error());
            } else {
                auto first = m_properties.get_int(kCoreModule, kOutboxRetry);
                if (!first)
                    return std::unexpected(first.error());
                outcome.state = OutboxState::queued;
                const TimePoint next = now + backoff(entry.attempts, *first);
                outcome.detail = result.reply + " (next attempt " + to_iso8601(next) + ")";
                if (auto r = m_outbox.mark_retry(entry.id, next, result.reply); !r)
                    return std::unexpected(r.error());
            }
            spdlog::warn("outbox {}: {}", entry.id, outcome.detail);
            break;
        case transport::DeliveryStatus::permanent_failure:
            outcome.state = OutboxState::failed;
            if (auto r = m_outbox.mark_failed(entry.id, result.reply); !r)
                return std::unexpected(r.error());
            spdlog::warn("outbox {}: failed: {}", entry.id, result.reply);
            break;
    }
    return outcome;
}

Result<std::vector<DeliveryOutcome>> Delivery::deliver_due() {
    std::vector<DeliveryOutcome> outcomes;
    auto t = transport();
    if (!t)
        return std::unexpected(t.error());
    auto timeout = m_properties.get_int(kCoreModule, kTransportTimeout);
    if (!timeout)
        return std::unexpected(timeout.error());
    const auto lease = std::chrono::seconds(*timeout) + kExtraLease;
    for (;;) {
        auto claimed = m_outbox.claim(m_clock.now(), lease, false);
        if (!claimed)
            return std::unexpected(claimed.error());
        if (!*claimed)
            break;
        auto outcome = attempt(**claimed, **t);
        if (!outcome)
            return std::unexpected(outcome.error());
        outcomes.push_back(std::move(*outcome));
    }
    return outcomes;
}

Result<std::vector<DeliveryOutcome>> Delivery::deliver(const std::vector<long long>& ids) {
    std::vector<DeliveryOutcome> outcomes;
    auto t = transport();
    if (!t)
        return std::unexpected(t.error());
    auto timeout = m_properties.get_int(kCoreModule, kTransportTimeout);
    if (!timeout)
        return std::unexpected(timeout.error());
    for (long long id : ids) {
        auto claimed = m_outbox.claim_id(id, m_clock.now(),
                                         std::chrono::seconds(*timeout) + kExtraLease, false);
        if (!claimed)
            return std::unexpected(claimed.error());
        if (!*claimed)
            continue;  // rejected, or another worker has it
        auto outcome = attempt(**claimed, **t);
        if (!outcome)
            return std::unexpected(outcome.error());
        outcomes.push_back(std::move(*outcome));
    }
    return outcomes;
}

}  // namespace casecrypt::services
