// SmtpTransport: MailTransport over SMTP with libcurl (smtp:// with STARTTLS, smtps://, AUTH).
// Behaviour and result classes are documented at make_smtp_transport in mail_transport.h.
//
// Each deliver() opens its own connection and closes it before returning, so nothing (no
// connection, no callback pointing at a finished call) outlives the call. Holds the settings,
// password included, for its lifetime. Not thread-safe; make one per worker.
#pragma once

#include "transport/mail_transport.h"

namespace casecrypt::transport {

class SmtpTransport final : public MailTransport {
public:
    explicit SmtpTransport(SmtpSettings settings) : m_settings(std::move(settings)) {}

    DeliveryResult deliver(const Envelope& envelope, const std::filesystem::path& message) override;

private:
    SmtpSettings m_settings;
};

}  // namespace casecrypt::transport
