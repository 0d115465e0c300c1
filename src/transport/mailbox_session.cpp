#include "transport/mailbox_session.h"

#include <cctype>
#include <chrono>
#include <cstring>
#include <deque>
#include <optional>

namespace casecrypt::transport {

namespace {

// libcurl closes a cached connection that sat idle longer than this instead of reusing it; its
// default (118 s) would often end a POP3 session between list() and done(), and with it the
// DELE marks. RFC 1939 section 3 has servers wait at least 10 minutes, RFC 3501 5.4 30.
constexpr long kReuseIdleSeconds = 600;
// Server lines kept for error messages; the server is not trusted to keep them short.
constexpr std::size_t kKeptLines = 32;
constexpr std::size_t kKeptLineLength = 1000;

std::string_view first_word(std::string_view line) {
    return line.substr(0, line.find(' '));
}

bool equals_ignoring_case(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) {
        return false;
    }
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (std::tolower(static_cast<unsigned char>(a[i])) !=
            std::tolower(static_cast<unsigned char>(b[i]))) {
            return false;
        }
    }
    return true;
}

// A refusal: POP3 "-ERR text"; IMAP "<tag> NO text" or "<tag> BAD text", returned without the
// tag. Untagged "* NO" lines are warnings, not answers.
std::optional<std::string> refusal(std::string_view line) {
    if (line.rfind("-ERR", 0) == 0) {
        return std::string(line);
    }
    const std::string_view tag = first_word(line);
    if (tag.empty() || tag == "*" || tag == "+" || tag.size() == line.size()) {
        return std::nullopt;
    }
    const std::string_view rest = line.substr(tag.size() + 1);
    const std::string_view status = first_word(rest);
    if (equals_ignoring_case(status, "NO") || equals_ignoring_case(status, "BAD")) {
        return std::string(rest);
    }
    return std::nullopt;
}

}  // namespace

Result<void> TextSink::start() {
    m_text.clear();
    return {};
}

Result<void> TextSink::write(std::string_view piece) {
    m_text.append(piece);
    return {};
}

Result<void> FileSink::start() {
    m_file.reset();  // closes an earlier run's file before it is truncated
    auto file = MessageFile::create(m_path);
    if (!file) {
        return std::unexpected(file.error());
    }
    m_file.emplace(std::move(*file));
    return {};
}

Result<void> FileSink::write(std::string_view piece) {
    return m_file->write(piece);
}

Result<void> FileSink::finish() {
    if (!m_file) {
        return fail(Errc::internal, "nothing was written to " + m_path.string());
    }
    auto closed = m_file->close();
    m_file.reset();
    return closed;
}

struct MailboxSessionState {
    MailboxSessionState(std::chrono::seconds limit, bool pop3) : idle_limit(limit), is_pop3(pop3) {}

    std::chrono::seconds idle_limit;
    bool is_pop3;
    Secret password;
    char error_buffer[CURL_ERROR_SIZE] = {};
    // The current perform's sink, and what it refused.
    ResponseSink* sink = nullptr;
    std::optional<Error> sink_error;
    MailboxSession::LineObserver observer;
    std::deque<std::string> lines;  // the last server lines of the current perform
    // The idle watchdog (watch_progress): the last time a byte or a line moved.
    std::chrono::steady_clock::time_point last_activity = std::chrono::steady_clock::now();
    curl_off_t moved = 0;
    bool stalled = false;
};

namespace {

using State = MailboxSessionState;

// libcurl's callbacks are called from C: no exception may leave them.
size_t write_body(char* buffer, size_t size, size_t count, void* user) {
    auto* state = static_cast<State*>(user);
    state->last_activity = std::chrono::steady_clock::now();
    if (state->sink == nullptr) {
        return size * count;  // nobody asked for a body
    }
    try {
        auto ok = state->sink->write(std::string_view(buffer, size * count));
        if (ok) {
            return size * count;
        }
        state->sink_error = ok.error();
    } catch (...) {
        state->sink_error = Error(Errc::internal, "out of memory receiving a message");
    }
    return 0;  // tells libcurl to abort the transfer
}

size_t record_line(char* buffer, size_t size, size_t count, void* user) {
    auto* state = static_cast<State*>(user);
    state->last_activity = std::chrono::steady_clock::now();
    std::string_view line(buffer, size * count);
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) {
        line.remove_suffix(1);
    }
    try {
        if (state->observer) {
            state->observer(line);
        }
        state->lines.emplace_back(line.substr(0, kKeptLineLength));
        if (state->lines.size() > kKeptLines) {
            state->lines.pop_front();
        }
        return size * count;
    } catch (...) {
        return 0;
    }
}

// Gives up when nothing has moved for the timeout. libcurl's own bounds leave gaps this closes:
// its low-speed check averages over several seconds, and after a failed command it may still
// wait a full response timeout for the answer to LOGOUT or QUIT. libcurl calls this at least
// once a second.
int watch_progress(void* user, curl_off_t, curl_off_t downloaded, curl_off_t, curl_off_t uploaded) {
    auto* state = static_cast<State*>(user);
    const auto now = std::chrono::steady_clock::now();
    if (downloaded + uploaded != state->moved) {
        state->moved = downloaded + uploaded;
        state->last_activity = now;
        return 0;
    }
    if (now - state->last_activity >= state->idle_limit) {
        state->stalled = true;
        return 1;  // aborts with CURLE_ABORTED_BY_CALLBACK
    }
    return 0;
}

CURLcode configure(CURL* easy, const MailboxSettings& settings, const char* protocols,
                   State& state) {
    CURLcode rc = set_connection_options(easy, CurlConnection{.protocols = protocols,
                                                              .require_tls = settings.require_tls,
                                                              .ca_file = settings.ca_file,
                                                              .user = settings.user,
                                                              .password = &settings.password,
                                                              .timeout = settings.timeout,
                                                              .error_buffer = state.error_buffer});
    auto want = [&rc](CURLcode r) {
        if (rc == CURLE_OK) {
            rc = r;
        }
    };
    want(curl_easy_setopt(easy, CURLOPT_MAXAGE_CONN, kReuseIdleSeconds));
    want(curl_easy_setopt(easy, CURLOPT_NOPROGRESS, 0L));
    want(curl_easy_setopt(easy, CURLOPT_XFERINFOFUNCTION, watch_progress));
    want(curl_easy_setopt(easy, CURLOPT_XFERINFODATA, &state));
    want(curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, write_body));
    want(curl_easy_setopt(easy, CURLOPT_WRITEDATA, &state));
    // libcurl hands every server response line of IMAP and POP3 to the header callback.
    want(curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, record_line));
    want(curl_easy_setopt(easy, CURLOPT_HEADERDATA, &state));
    return rc;
}

}  // namespace

Result<std::unique_ptr<MailboxSession>> MailboxSession::open(const MailboxSettings& settings,
                                                             const char* protocols,
                                                             std::string display_url,
                                                             std::string folder) {
    const bool pop3 = std::string_view(protocols).starts_with("pop3");
    auto state = std::make_unique<State>(settings.timeout, pop3);
    state->password = settings.password;
    auto easy = new_curl_easy();
    if (!easy) {
        return std::unexpected(easy.error());
    }
    if (const CURLcode rc = configure(easy->get(), settings, protocols, *state); rc != CURLE_OK) {
        return fail(Errc::internal,
                    std::string("cannot set up libcurl for a mailbox: ") + curl_easy_strerror(rc));
    }
    return std::unique_ptr<MailboxSession>(new MailboxSession(
        std::move(state), std::move(*easy), std::move(display_url), std::move(folder)));
}

MailboxSession::MailboxSession(std::unique_ptr<State> state, CurlEasyPtr easy,
                               std::string display_url, std::string folder)
    : m_state(std::move(state)),
      m_easy(std::move(easy)),
      m_display_url(std::move(display_url)),
      m_folder(std::move(folder)) {}

MailboxSession::~MailboxSession() = default;

void MailboxSession::set_line_observer(LineObserver observer) {
    m_state->observer = std::move(observer);
}

Result<void> MailboxSession::perform(const MailboxRequest& request, ResponseSink* sink) {
    CURLcode rc = attempt(request, sink);
    // A reused connection the server had ended (module comment): once more on a new one.
    if (!m_reconnected && !m_state->sink_error &&
        (rc == CURLE_RECV_ERROR || rc == CURLE_SEND_ERROR || rc == CURLE_GOT_NOTHING ||
         rc == CURLE_WEIRD_SERVER_REPLY)) {
        rc = attempt(request, sink);
    }
    if (rc == CURLE_OK) {
        return {};
    }
    return std::unexpected(failure(rc));
}

CURLcode MailboxSession::attempt(const MailboxRequest& request, ResponseSink* sink) {
    State& state = *m_state;
    state.error_buffer[0] = '\0';
    state.sink = sink;
    state.sink_error.reset();
    state.lines.clear();
    state.last_activity = std::chrono::steady_clock::now();
    state.moved = 0;
    state.stalled = false;
    m_reconnected = false;
    if (sink != nullptr) {
        if (auto started = sink->start(); !started) {
            state.sink_error = started.error();
            m_last_code = CURLE_WRITE_ERROR;
            return m_last_code;
        }
    }

    CURL* easy = m_easy.get();
    CURLcode rc = curl_easy_setopt(easy, CURLOPT_URL, request.url.c_str());
    if (rc == CURLE_OK) {
        rc = curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST,
                              request.command.empty() ? nullptr : request.command.c_str());
    }
    if (rc == CURLE_OK) {
        rc = curl_easy_setopt(easy, CURLOPT_NOBODY, request.no_body ? 1L : 0L);
    }
    if (rc == CURLE_OK) {
        rc = curl_easy_perform(easy);
    }
    state.sink = nullptr;
    long connects = 0;
    curl_easy_getinfo(easy, CURLINFO_NUM_CONNECTS, &connects);
    m_reconnected = connects > 0;
    m_last_code = rc;
    return rc;
}

Error MailboxSession::failure(CURLcode rc) const {
    const State& state = *m_state;
    std::optional<std::string> reply;
    for (auto line = state.lines.rbegin(); line != state.lines.rend() && !reply; ++line) {
        reply = refusal(*line);
    }
    const std::string detail =
        state.error_buffer[0] != '\0' ? state.error_buffer : curl_easy_strerror(rc);
    std::string cause;
    if (state.sink_error) {
        cause = state.sink_error->message();
    } else if (state.stalled || rc == CURLE_OPERATION_TIMEDOUT) {
        cause = "the server did not answer within the timeout of " +
                std::to_string(state.idle_limit.count()) + " s";
    } else if (rc == CURLE_COULDNT_CONNECT) {
        long os_errno = 0;
        curl_easy_getinfo(m_easy.get(), CURLINFO_OS_ERRNO, &os_errno);
        cause = "cannot connect to the server: " +
                (os_errno != 0 ? std::string(std::strerror(static_cast<int>(os_errno))) : detail);
    } else if (rc == CURLE_USE_SSL_FAILED) {
        cause = std::string("TLS is required, but the server does not offer ") +
                (state.is_pop3 ? "STLS" : "STARTTLS");
    } else if (rc == CURLE_PEER_FAILED_VERIFICATION) {
        cause = "the server's TLS certificate is not trusted (" + detail + ")";
    } else if (rc == CURLE_SSL_CONNECT_ERROR) {
        cause = "the TLS handshake failed (" + detail + ")";
    } else if (rc == CURLE_LOGIN_DENIED && detail.starts_with("Select failed")) {
        // libcurl reports a refused SELECT with the code of a refused login.
        cause = "the folder \"" + m_folder + "\" does not exist or cannot be opened" +
                (reply ? ": " + *reply : std::string());
    } else if (rc == CURLE_LOGIN_DENIED) {
        cause = "the server refused the login" + (reply ? ": " + *reply : ": " + detail);
    } else if (reply) {
        cause = "the server answered: " + *reply;
    } else {
        cause = detail;
    }
    return Error(state.sink_error ? state.sink_error->code() : Errc::io,
                 without_password("mailbox " + m_display_url + ": " + cause, state.password));
}

}  // namespace casecrypt::transport
