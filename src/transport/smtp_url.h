// Builds the URL libcurl is given for an SMTP transfer from the admin's settings.
//
// libcurl takes the EHLO name from the URL path (smtp://host:port/<helo name>), so the
// helo_name setting goes there. Credentials in the URL are refused: they belong in
// SmtpSettings::user/password, where a Secret keeps the password out of logs and replies.
#pragma once

#include <string>

#include "core/error.h"
#include "transport/mail_transport.h"

namespace casecrypt::transport {

// Errc::usage for anything but an smtp:// or smtps:// URL with a host, for credentials in the
// URL and for a HELO name with a control character. The message never repeats the URL.
Result<std::string> smtp_transfer_url(const SmtpSettings& settings);

}  // namespace casecrypt::transport
