// MailboxSession: the one libcurl easy handle an IMAP or POP3 Mailbox keeps for its whole life,
// so list(), fetch() and done() run over one connection: IMAP selects the folder once, and a
// POP3 session's message numbers and DELE marks stay valid (RFC 1939 section 6: deletions take
// effect at QUIT, which libcurl sends when the handle is cleaned up, i.e. when the Mailbox goes).
//
// Every wait is bounded by the settings' timeout (connect, each reply, any stretch of a transfer
// that moves no byte), so a dead or silent server costs about one timeout. Failures are Errc::io
// with one sentence, "mailbox <url>: <cause>", the cause in the server's words where it gave
// any (a refused login, a missing folder), never with the password.
//
// libcurl 7.88 reuses a cached connection that the server has ended meanwhile (idle timeout,
// restart) and reads the server's farewell ("-ERR ... shutting down", "* BYE") as the answer to
// the next command; the failed transfer closes that connection. perform() then runs the command
// once more, on a new connection; reconnected() tells the caller it is a new session.
//
// Holds a copy of the settings (password included) for its lifetime. Not thread-safe, not
// movable: libcurl's callbacks point into it.
#pragma once

#include <curl/curl.h>

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.h"
#include "transport/curl_ptr.h"
#include "transport/mailbox.h"
#include "transport/message_file.h"

namespace casecrypt::transport {

struct MailboxRequest {
    std::string url;
    std::string command;   // CURLOPT_CUSTOMREQUEST; empty: what the URL asks (FETCH, RETR, LIST)
    bool no_body = false;  // a POP3 command answered by one status line only (DELE, RSET)
};

// Where the body of an answer goes, piece by piece (IMAP: the message of a FETCH, or the
// untagged lines of a custom command; POP3: the multi-line answer, dot-unstuffed). start() comes
// before each run of the command, so nothing of a failed first run stays. An error from either
// stops the transfer and becomes perform()'s error.
class ResponseSink {
public:
    virtual ~ResponseSink() = default;
    virtual Result<void> start() = 0;
    virtual Result<void> write(std::string_view piece) = 0;
};

// Keeps the body in memory: listings and untagged answers, a few bytes per message.
class TextSink final : public ResponseSink {
public:
    Result<void> start() override;
    Result<void> write(std::string_view piece) override;
    const std::string& text() const { return m_text; }

private:
    std::string m_text;
};

// Streams the body into a file (MessageFile: created or truncated, 0600) as it arrives.
class FileSink final : public ResponseSink {
public:
    explicit FileSink(std::filesystem::path path) : m_path(std::move(path)) {}
    Result<void> start() override;
    Result<void> write(std::string_view piece) override;
    // Closes the file, reporting a write error that only shows at close.
    Result<void> finish();

private:
    std::filesystem::path m_path;
    std::optional<MessageFile> m_file;
};

// What libcurl's callbacks reach (mailbox_session.cpp).
struct MailboxSessionState;

class MailboxSession {
public:
    // Sees every line the server sends (greeting, untagged and tagged replies), without CRLF.
    using LineObserver = std::function<void(std::string_view)>;

    // `protocols`: libcurl's CURLOPT_PROTOCOLS_STR ("imap,imaps"). `display_url` names the
    // mailbox in errors; `folder` (IMAP) in the error for a folder that cannot be opened.
    static Result<std::unique_ptr<MailboxSession>> open(const MailboxSettings& settings,
                                                        const char* protocols,
                                                        std::string display_url,
                                                        std::string folder);
    ~MailboxSession();
    MailboxSession(const MailboxSession&) = delete;
    MailboxSession& operator=(const MailboxSession&) = delete;

    // `sink` may be null for commands without a body.
    Result<void> perform(const MailboxRequest& request, ResponseSink* sink);
    void set_line_observer(LineObserver observer);

    // Of the last perform(): its libcurl result, and whether it ran on a connection opened for
    // it (a new IMAP/POP3 session: POP3 message numbers from before no longer hold).
    CURLcode last_code() const { return m_last_code; }
    bool reconnected() const { return m_reconnected; }
    // The mailbox as named in errors.
    const std::string& display_url() const { return m_display_url; }

private:
    using State = MailboxSessionState;
    MailboxSession(std::unique_ptr<State> state, CurlEasyPtr easy, std::string display_url,
                   std::string folder);
    CURLcode attempt(const MailboxRequest& request, ResponseSink* sink);
    Error failure(CURLcode rc) const;

    // Declared before the handle that points at it, so it outlives the handle: cleanup may still
    // talk to the server (LOGOUT, QUIT).
    std::unique_ptr<State> m_state;
    CurlEasyPtr m_easy;
    std::string m_display_url;
    std::string m_folder;
    CURLcode m_last_code = CURLE_OK;
    bool m_reconnected = false;
};

}  // namespace casecrypt::transport
