// Checks an Envelope before any transport uses it. The addresses end up inside SMTP commands
// (MAIL FROM:<...>, RCPT TO:<...>) and in line-oriented .envelope files, so a CR or LF in one
// would inject commands or recipients; libcurl does not check this for us.
#pragma once

#include "core/error.h"
#include "transport/mail_transport.h"

namespace casecrypt::transport {

// Errc::usage naming the bad field when a recipient is missing or an address holds a control
// character, '<' or '>'. An empty `from` is allowed: it is the null reverse-path "<>" of
// bounces (RFC 5321 section 4.5.5).
Result<void> check_envelope(const Envelope& envelope);

}  // namespace casecrypt::transport
