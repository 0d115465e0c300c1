// WebServer: the HTTP(S) server of `casecrypt serve`: the pages (src/web/ui, embedded) and the
// JSON API (docs/api.md), over cpp-httplib. It owns the listening socket and a small pool of
// worker threads, each with its own services::Installation (InstallationPool); every route
// handler is wrapped here with what all of them need: the session cookie, the CSRF token on
// writes, the role check, the error mapping, the security headers on every answer (a strict
// Content-Security-Policy, nosniff, no referrer, no framing) and the upload size limits.
//
// Life cycle: create(), bind() (the port is known after it), run() on a thread of its own
// until stop() (from any thread: requests in flight finish, then run() returns).
#pragma once

#include <atomic>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "core/clock.h"
#include "core/error.h"
#include "services/installation.h"

namespace httplib {
class Server;
}

namespace casecrypt::web {

class InstallationPool;

struct WebServerOptions {
    std::string host = "127.0.0.1";
    int port = 8080;  // 0: any free port (bind() says which)
    // Both or neither: HTTPS with this certificate (chain) and key, PEM files.
    std::optional<std::filesystem::path> tls_certificate;
    std::optional<std::filesystem::path> tls_key;
    // cpp-httplib gives each connection a worker until it closes (keep-alive included), and a
    // browser opens up to 6 per page load: enough for a few browsers at once. A worker opens its
    // Installation only on its first /api request.
    int threads = 16;
};

// The largest request body: mail with attachments. Bigger bodies are answered 413 without
// being stored (cpp-httplib discards them as they arrive).
inline constexpr std::size_t kMaxRequestBody = 50 * 1024 * 1024;
// The largest certificate file an upload may carry (issue 11: 1 MiB).
inline constexpr std::size_t kMaxCertificateUpload = 1024 * 1024;
// What a multipart body may hold besides the file (boundaries, part headers, the password).
inline constexpr std::size_t kMultipartSlack = 64 * 1024;

class WebServer {
public:
    // Errc::usage for a half TLS configuration, Errc::rejected when the certificate or key
    // cannot be loaded.
    static Result<std::unique_ptr<WebServer>> create(services::InstallationOptions installation,
                                                     const Clock& clock, WebServerOptions options);
    ~WebServer();
    WebServer(const WebServer&) = delete;
    WebServer& operator=(const WebServer&) = delete;

    // Binds the listening socket; Errc::io naming the address when it cannot.
    Result<void> bind();
    // Serves until stop(); returns when the requests in flight have finished.
    void run();
    void stop();
    // Whether run() has started listening (stop() before it would not stop it).
    bool is_running() const;

    // "http://127.0.0.1:8080/" (the bound port).
    std::string url() const;
    bool tls() const { return m_tls; }
    // Whether the address is a loopback one (127.0.0.0/8, ::1, localhost).
    static bool is_loopback(const std::string& host);

private:
    WebServer(std::unique_ptr<httplib::Server> server, std::unique_ptr<InstallationPool> pool,
              WebServerOptions options, bool tls);
    void install_routes();

    std::unique_ptr<httplib::Server> m_server;
    std::unique_ptr<InstallationPool> m_pool;
    WebServerOptions m_options;
    bool m_tls = false;
    int m_port = 0;
};

}  // namespace casecrypt::web
