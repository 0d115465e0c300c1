#include "transport/smtp_transport.h"

#include <chrono>
#include <optional>
#include <string>

#include "transport/crlf_reader.h"
#include "transport/curl_ptr.h"
#include "transport/envelope_check.h"
#include "transport/smtp_reply_log.h"
#include "transport/smtp_url.h"

namespace casecrypt::transport {

namespace {

// What libcurl's callbacks reach during one transfer. It is declared before the easy handle
// that points at it, so it outlives the handle: curl_easy_cleanup may still run callbacks.
struct Transfer {
    Transfer(CrlfReader r, std::chrono::seconds limit) : reader(std::move(r)), idle_limit(limit) {}
    CrlfReader reader;
    SmtpReplyLog replies;
    std::optional<std::string> read_error;
    char error_buffer[CURL_ERROR_SIZE] = {};
    // The idle watchdog (watch_progress): the last time the server said something or took a
    // byte of the message.
    std::chrono::seconds idle_limit;
    std::chrono::steady_clock::time_point last_activity = std::chrono::steady_clock::now();
    curl_off_t uploaded = 0;
    bool stalled = false;
};

// libcurl's callbacks are called from C: no exception may leave them.
size_t read_message(char* buffer, size_t size, size_t count, void* user) {
    auto* transfer = static_cast<Transfer*>(user);
    try {
        auto n = transfer->reader.read(buffer, size * count);
        if (n) {
            return *n;
        }
        transfer->read_error = n.error().message();
    } catch (...) {
        transfer->read_error = "out of memory reading the message";
    }
    return CURL_READFUNC_ABORT;
}

size_t record_reply_line(char* buffer, size_t size, size_t count, void* user) {
    auto* transfer = static_cast<Transfer*>(user);
    transfer->last_activity = std::chrono::steady_clock::now();
    try {
        transfer->replies.add_line(std::string_view(buffer, size * count));
        return size * count;
    } catch (...) {
        return 0;  // tells libcurl to abort the transfer
    }
}

// Gives up when the server has neither replied nor taken a byte for the timeout. libcurl's own
// bounds leave gaps this closes: its low-speed check averages over about five seconds, so a
// server that stops reading mid-DATA cost timeout + ~6 s; and after a failed command it still
// sends QUIT and waits a full response timeout for the answer, doubling the cost of a dead
// server. libcurl calls this at least once a second, also during those QUIT waits.
int watch_progress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t uploaded) {
    auto* transfer = static_cast<Transfer*>(user);
    const auto now = std::chrono::steady_clock::now();
    if (uploaded != transfer->uploaded) {
        transfer->uploaded = uploaded;
        transfer->last_activity = now;
        return 0;
    }
    if (now - transfer->last_activity >= transfer->idle_limit) {
        transfer->stalled = true;
        return 1;  // aborts with CURLE_ABORTED_BY_CALLBACK
    }
    return 0;
}

// Errors of the session rather than of the message (module comment in mail_transport.h):
// STARTTLS required but not offered, AUTH refused, EHLO/HELO refused.
bool is_session_error(CURLcode rc) {
    return rc == CURLE_USE_SSL_FAILED || rc == CURLE_LOGIN_DENIED ||
           rc == CURLE_REMOTE_ACCESS_DENIED;
}

CURLcode configure(CURL* easy, const SmtpSettings& settings, const std::string& url,
                   const Envelope& envelope, curl_slist* recipients, Transfer& transfer) {
    CURLcode rc =
        set_connection_options(easy, CurlConnection{.protocols = "smtp,smtps",
                                                    .require_tls = settings.require_starttls,
                                                    .ca_file = settings.ca_file,
                                                    .user = settings.user,
                                                    .password = &settings.password,
                                                    .timeout = settings.timeout,
                                                    .error_buffer = transfer.error_buffer});
    auto want = [&rc](CURLcode r) {
        if (rc == CURLE_OK) {
            rc = r;
        }
    };
    want(curl_easy_setopt(easy, CURLOPT_URL, url.c_str()));
    // One connection per delivery, closed (QUIT) inside perform, where watch_progress still
    // bounds the wait for the server's answer; a cached one would say QUIT from cleanup.
    want(curl_easy_setopt(easy, CURLOPT_FORBID_REUSE, 1L));
    want(curl_easy_setopt(easy, CURLOPT_NOPROGRESS, 0L));
    want(curl_easy_setopt(easy, CURLOPT_XFERINFOFUNCTION, watch_progress));
    want(curl_easy_setopt(easy, CURLOPT_XFERINFODATA, &transfer));
    want(curl_easy_setopt(easy, CURLOPT_MAIL_FROM, envelope.from.c_str()));
    want(curl_easy_setopt(easy, CURLOPT_MAIL_RCPT, recipients));
    want(curl_easy_setopt(easy, CURLOPT_UPLOAD, 1L));
    want(curl_easy_setopt(easy, CURLOPT_READFUNCTION, read_message));
    want(curl_easy_setopt(easy, CURLOPT_READDATA, &transfer));
    want(curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, record_reply_line));
    want(curl_easy_setopt(easy, CURLOPT_HEADERDATA, &transfer));
    return rc;
}

DeliveryResult outcome(CURLcode rc, CURL* easy, const Transfer& transfer) {
    long code = 0;
    curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &code);
    const std::optional<std::string> server_reply = transfer.replies.last_with_code(code);
    if (rc == CURLE_OK) {
        return {DeliveryStatus::delivered, server_reply.value_or(std::to_string(code))};
    }
    if (transfer.read_error) {
        return {DeliveryStatus::temporary_failure, "not sent: " + *transfer.read_error};
    }
    if (rc == CURLE_ABORTED_BY_CALLBACK && transfer.stalled) {
        return {DeliveryStatus::temporary_failure, "the server neither replied nor took data for " +
                                                       std::to_string(transfer.idle_limit.count()) +
                                                       " s"};
    }
    std::string reply;
    if (code >= 400 && server_reply) {
        reply = *server_reply;
    } else {
        reply = transfer.error_buffer[0] != '\0' ? transfer.error_buffer : curl_easy_strerror(rc);
    }
    const bool permanent = code >= 500 && code <= 599 && !is_session_error(rc);
    return {permanent ? DeliveryStatus::permanent_failure : DeliveryStatus::temporary_failure,
            reply};
}

}  // namespace

DeliveryResult SmtpTransport::deliver(const Envelope& envelope,
                                      const std::filesystem::path& message) {
    if (auto ok = check_envelope(envelope); !ok) {
        return {DeliveryStatus::permanent_failure, "not sent: " + ok.error().message()};
    }
    auto url = smtp_transfer_url(m_settings);
    if (!url) {
        return {DeliveryStatus::temporary_failure, "not sent: " + url.error().message()};
    }
    auto reader = CrlfReader::open(message);
    if (!reader) {
        return {DeliveryStatus::temporary_failure, "not sent: " + reader.error().message()};
    }
    Transfer transfer(std::move(*reader), m_settings.timeout);
    CurlSlistPtr recipients;
    for (const std::string& recipient : envelope.recipients) {
        if (auto ok = curl_slist_push(recipients, recipient.c_str()); !ok) {
            return {DeliveryStatus::temporary_failure, "not sent: " + ok.error().message()};
        }
    }
    auto easy = new_curl_easy();
    if (!easy) {
        return {DeliveryStatus::temporary_failure, "not sent: " + easy.error().message()};
    }
    CURLcode rc = configure(easy->get(), m_settings, *url, envelope, recipients.get(), transfer);
    if (rc == CURLE_OK) {
        rc = curl_easy_perform(easy->get());
    }
    DeliveryResult result = outcome(rc, easy->get(), transfer);
    result.reply = without_password(std::move(result.reply), m_settings.password);
    return result;
}

std::unique_ptr<MailTransport> make_smtp_transport(SmtpSettings settings) {
    return std::make_unique<SmtpTransport>(std::move(settings));
}

}  // namespace casecrypt::transport
