// MailTransport: hands a finished message to the next mail server (SMTP via libcurl) or, in
// the embedded default, to a directory. The outbox (services) decides when to call it and what
// to do with the result; a transport only reports what happened.
//
// Implementations are not required to be thread-safe; make one per worker thread.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "core/secret.h"

namespace casecrypt::transport {

struct Envelope {
    std::string from;                     // MAIL FROM
    std::vector<std::string> recipients;  // RCPT TO, one per address
    std::string name;                     // a stable name for the message (the outbox id)
};

enum class DeliveryStatus {
    delivered,          // the server took it (250)
    temporary_failure,  // connection failed, timed out, or a 4xx reply: try again later
    permanent_failure,  // a 5xx reply: do not try again
};

struct DeliveryResult {
    DeliveryStatus status = DeliveryStatus::temporary_failure;
    std::string reply;  // the server's reply or the connection error, for the outbox and admins
};

// permanent_failure is kept for what retrying cannot fix: a 5xx reply to the message (MAIL,
// RCPT, DATA), or an envelope or message name that can never be sent (a CR/LF in an address,
// no recipient, a name with '/'). Problems of the route or our settings (no connection, TLS
// refused or not offered, AUTH refused, a bad URL) are temporary_failure: the message is fine,
// and it goes out once an admin fixes the settings or the server comes back.

class MailTransport {
public:
    virtual ~MailTransport() = default;
    // Delivers the message file (RFC 5322, LF or CRLF line ends) to every envelope recipient.
    virtual DeliveryResult deliver(const Envelope& envelope,
                                   const std::filesystem::path& message) = 0;
};

struct SmtpSettings {
    std::string url;   // smtp://host:port (STARTTLS when offered) or smtps://host:port
    std::string user;  // empty: no AUTH
    Secret password;
    bool require_starttls = false;  // refuse to send in clear on smtp://
    // Bounds each wait: connecting, each server reply, and any stretch of the upload that moves
    // no byte. A dead or silent server costs about this much per delivery, not more.
    std::chrono::seconds timeout{30};
    std::string helo_name = "localhost";
    std::filesystem::path ca_file;  // PEM CA certificates to trust; empty: the system's store
};

// One SMTP transaction per deliver(): MAIL FROM, one RCPT TO per recipient, DATA. All or
// nothing: if the server refuses any recipient no DATA is sent, so nobody gets the message and
// the result carries the refusal (split the envelope to send to the others). Line ends are sent
// as CRLF and lines starting with "." are dot-stuffed, whatever the file uses. The password
// never appears in a reply.
std::unique_ptr<MailTransport> make_smtp_transport(SmtpSettings settings);

// Writes each message as <dir>/<envelope.name>.eml (temp name, then rename), and the envelope
// beside it as <name>.envelope (one line "from", then one recipient per line).
// The bytes are copied exactly (no line-end conversion). The envelope is in place before the
// .eml appears, so a reader that picks up *.eml always finds both. Delivering the same name again
// replaces both files. Names with '/' or "..", empty ones and ones starting with '.' (the temp
// files' prefix) are refused. Files are created 0600: they may hold unencrypted mail.
std::unique_ptr<MailTransport> make_directory_transport(std::filesystem::path dir);

}  // namespace casecrypt::transport
