#include "web/web_server.h"

#include <httplib.h>

#include <algorithm>
#include <charconv>
#include <cstdint>

#include "core/log.h"
#include "web/account_routes.h"
#include "web/api.h"
#include "web/attachment_routes.h"
#include "web/audit_routes.h"
#include "web/backup_routes.h"
#include "web/certificate_routes.h"
#include "web/installation_pool.h"
#include "web/message_routes.h"
#include "web/outbox_routes.h"
#include "web/property_routes.h"
#include "web/session_routes.h"
#include "web/ticket_routes.h"
#include "web/ui_routes.h"
#include "web/user_routes.h"
#include "web/workflow_routes.h"

namespace casecrypt::web {
namespace {

// No inline script, no remote origin; frames only from us (the sanitised mail view).
constexpr const char* kContentSecurityPolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-src 'self'; "
    "frame-ancestors 'none'";

bool is_write(const std::string& method) {
    return method == "POST" || method == "PUT" || method == "DELETE" || method == "PATCH";
}

std::string sentence_for_status(int status) {
    switch (status) {
        case 400:
            return "the request is malformed";
        case 404:
            return "no such resource";
        case 405:
            return "this method is not allowed here";
        case 413:
            return "the request body is too large (at most " +
                   std::to_string(kMaxRequestBody / (1024 * 1024)) + " MiB)";
        case 414:
            return "the request URI is too long";
        case 416:
            return "the range cannot be served";
        default:
            return status >= 500 ? "internal error; the server log has the details"
                                 : "the request cannot be served";
    }
}

// The Content-Length the client announced; 0 when absent or unreadable (httplib refuses those).
std::uint64_t content_length(const httplib::Request& request) {
    const std::string text = request.get_header_value("Content-Length");
    std::uint64_t value = 0;
    std::from_chars(text.data(), text.data() + text.size(), value);
    return value;
}

// Sets a header once (httplib keeps headers in a multimap).
void replace_header(httplib::Response& response, const std::string& name,
                    const std::string& value) {
    response.headers.erase(name);
    response.set_header(name, value);
}

// The client's address: the TCP peer, unless the peer is a trusted reverse proxy, whose own
// X-Forwarded-For entry (the last one: entries before it came from the client) names it.
std::string client_address(const httplib::Request& request,
                           const std::vector<std::string>& trusted_proxies) {
    if (std::find(trusted_proxies.begin(), trusted_proxies.end(), request.remote_addr) ==
        trusted_proxies.end())
        return request.remote_addr;
    std::string forwarded = request.get_header_value("X-Forwarded-For");
    if (const auto comma = forwarded.rfind(','); comma != std::string::npos)
        forwarded.erase(0, comma + 1);
    const auto first = forwarded.find_first_not_of(" \t");
    const auto last = forwarded.find_last_not_of(" \t");
    if (first == std::string::npos || last - first + 1 > 64)
        return request.remote_addr;
    return forwarded.substr(first, last - first + 1);
}

class HttplibRoutes final : public ApiRoutes {
public:
    HttplibRoutes(httplib::Server& server, InstallationPool& pool, bool tls,
                  const std::vector<std::string>& trusted_proxies)
        : m_server(server), m_pool(pool), m_tls(tls), m_trusted_proxies(trusted_proxies) {}

    void get(const std::string& pattern, Access access, ApiHandler handler) override {
        m_server.Get(pattern, wrap(access, std::move(handler)));
    }
    void post(const std::string& pattern, Access access, ApiHandler handler) override {
        m_server.Post(pattern, wrap(access, std::move(handler)));
    }
    void put(const std::string& pattern, Access access, ApiHandler handler) override {
        m_server.Put(pattern, wrap(access, std::move(handler)));
    }
    void del(const std::string& pattern, Access access, ApiHandler handler) override {
        m_server.Delete(pattern, wrap(access, std::move(handler)));
    }

private:
    // The handler outlives this registrar: it captures the pool and the flag, not `this`.
    httplib::Server::Handler wrap(Access access, ApiHandler handler) {
        return [&pool = m_pool, tls = m_tls, proxies = m_trusted_proxies, access,
                handler = std::move(handler)](const httplib::Request& request,
                                              httplib::Response& response) {
            try {
                serve(pool, tls, client_address(request, proxies), access, handler, request,
                      response);
            } catch (const std::exception& e) {
                spdlog::error("web: {} {} failed: {}", request.method, request.path, e.what());
                send_error(response, 500, "internal error; the server log has the details");
            }
        };
    }

    static void serve(InstallationPool& pool, bool tls, const std::string& client, Access access,
                      const ApiHandler& handler, const httplib::Request& request,
                      httplib::Response& response) {
        auto installation = pool.for_this_thread();
        if (!installation) {
            send_error(response, Error(Errc::internal, "cannot open the installation: " +
                                                           installation.error().message()));
            return;
        }
        std::optional<services::SessionView> session;
        if (access != Access::anyone) {
            const std::string token = cookie_value(request, kSessionCookie);
            if (token.empty()) {
                send_error(response, 401, "not logged in (POST /api/session first)");
                return;
            }
            auto found = (*installation)->sessions().find(Secret(token));
            if (!found) {
                if (found.error().code() == Errc::denied) {
                    send_error(response, 401, "the session has ended; log in again");
                } else {
                    send_error(response, found.error());
                }
                return;
            }
            session = std::move(*found);
            if (is_write(request.method) &&
                !services::Sessions::csrf_matches(*session,
                                                  request.get_header_value("X-CSRF-Token"))) {
                send_error(response, 403,
                           "the X-CSRF-Token header is missing or does not match the session");
                return;
            }
            if (session->must_change_password && access != Access::password_change) {
                send_error(response, 403, "change your password first (PUT /api/session/password)");
                return;
            }
            if (access == Access::admin && session->role != services::Role::admin) {
                send_error(response, 403, "only an administrator may do this");
                return;
            }
        }
        ApiCall call{.request = request,
                     .response = response,
                     .installation = **installation,
                     .session = session ? &*session : nullptr,
                     .tls = tls,
                     .client_address = client};
        handler(call);
    }

    httplib::Server& m_server;
    InstallationPool& m_pool;
    bool m_tls;
    std::vector<std::string> m_trusted_proxies;
};

}  // namespace

Result<std::unique_ptr<WebServer>> WebServer::create(services::InstallationOptions installation,
                                                     const Clock& clock, WebServerOptions options) {
    if (options.tls_certificate.has_value() != options.tls_key.has_value())
        return fail(Errc::usage, "--tls-cert and --tls-key go together");
    std::unique_ptr<httplib::Server> server;
    const bool tls = options.tls_certificate.has_value();
    if (tls) {
        auto ssl = std::make_unique<httplib::SSLServer>(options.tls_certificate->c_str(),
                                                        options.tls_key->c_str());
        if (!ssl->is_valid()) {
            return fail(Errc::rejected, "cannot use the TLS certificate " +
                                            options.tls_certificate->string() + " with the key " +
                                            options.tls_key->string() +
                                            " (PEM files, the key matching the certificate)");
        }
        server = std::move(ssl);
    } else {
        server = std::make_unique<httplib::Server>();
    }
    auto pool = std::make_unique<InstallationPool>(std::move(installation), clock);
    std::unique_ptr<WebServer> web(
        new WebServer(std::move(server), std::move(pool), std::move(options), tls));
    web->install_routes();
    return web;
}

WebServer::WebServer(std::unique_ptr<httplib::Server> server,
                     std::unique_ptr<InstallationPool> pool, WebServerOptions options, bool tls)
    : m_server(std::move(server)),
      m_pool(std::move(pool)),
      m_options(std::move(options)),
      m_tls(tls) {}

WebServer::~WebServer() {
    stop();
}

void WebServer::install_routes() {
    auto& server = *m_server;
    const int threads = m_options.threads > 0 ? m_options.threads : 16;
    server.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
    server.set_payload_max_length(kMaxRequestBody);
    // An idle keep-alive connection holds its worker: let it go after 2 s (httplib's 5 s stalled
    // a page load of the embedded pages behind the connections of the one before).
    server.set_keep_alive_timeout(2);
    server.set_read_timeout(30);
    server.set_write_timeout(30);

    // A client that asks first (Expect: 100-continue, as curl does for big bodies) is told
    // before it sends a byte of a body that is too large.
    server.set_expect_100_continue_handler(
        [](const httplib::Request& request, httplib::Response& response) {
            if (content_length(request) > kMaxRequestBody) {
                send_error(response, 413, sentence_for_status(413));
                return 413;
            }
            if (request.path.starts_with("/api/certificates/") &&
                content_length(request) > kMaxCertificateUpload + kMultipartSlack) {
                send_error(response, 413, "a certificate file is at most 1 MiB");
                return 413;
            }
            return 100;
        });

    server.set_pre_routing_handler([](const httplib::Request& request,
                                      httplib::Response& response) {
        // cpp-httplib applies no size limit to a chunked body: refuse it (browsers never send
        // one). The body is not read, so the connection must end after the answer: the content
        // provider below writes the answer and then reports failure, which closes it.
        if (request.has_header("Transfer-Encoding")) {
            response.status = 411;
            const std::string body =
                R"json({"error":"send the body with a Content-Length (chunked bodies are refused)"})json";
            response.set_content_provider(
                body.size(), "application/json",
                [body](std::size_t offset, std::size_t length, httplib::DataSink& sink) {
                    sink.write(body.data() + offset, length);
                    return false;
                });
            return httplib::Server::HandlerResponse::Handled;
        }
        return httplib::Server::HandlerResponse::Unhandled;
    });

    // Every error answer is JSON {"error": sentence}, also those httplib makes itself (404, 413).
    server.set_error_handler([](const httplib::Request&, httplib::Response& response) {
        if (response.body.empty() && response.status != 411)
            send_error(response, response.status, sentence_for_status(response.status));
    });

    // The security headers of every answer (a route may have set its own CSP: the mail view).
    server.set_post_routing_handler(
        [](const httplib::Request& request, httplib::Response& response) {
            if (!response.has_header("Content-Security-Policy"))
                response.set_header("Content-Security-Policy", kContentSecurityPolicy);
            if (!response.has_header("X-Frame-Options"))
                response.set_header("X-Frame-Options", "DENY");
            replace_header(response, "X-Content-Type-Options", "nosniff");
            replace_header(response, "Referrer-Policy", "no-referrer");
            if (request.path.starts_with("/api") && !response.has_header("Cache-Control"))
                response.set_header("Cache-Control", "no-store");
        });

    server.set_logger([](const httplib::Request& request, const httplib::Response& response) {
        spdlog::debug("web: {} {} {} {}", request.remote_addr, request.method, request.path,
                      response.status);
    });

    HttplibRoutes routes(server, *m_pool, m_tls, m_options.trusted_proxies);
    add_session_routes(routes);
    add_certificate_routes(routes);
    add_property_routes(routes);
    add_ticket_routes(routes);
    add_message_routes(routes);
    add_attachment_routes(routes);
    add_backup_routes(routes);
    add_outbox_routes(routes);
    add_account_routes(routes);
    add_user_routes(routes);
    add_audit_routes(routes);
    add_workflow_routes(routes);
    add_ui_routes(server);
}

Result<void> WebServer::bind() {
    if (m_options.port == 0) {
        const int port = m_server->bind_to_any_port(m_options.host);
        if (port <= 0)
            return fail(Errc::io, "cannot listen on " + m_options.host + " (any port)");
        m_port = port;
        return {};
    }
    if (!m_server->bind_to_port(m_options.host, m_options.port)) {
        return fail(Errc::io, "cannot listen on " + m_options.host + ":" +
                                  std::to_string(m_options.port) +
                                  " (in use, or not an address of this machine?)");
    }
    m_port = m_options.port;
    return {};
}

void WebServer::run() {
    m_server->listen_after_bind();
}

bool WebServer::is_running() const {
    return m_server->is_running();
}

void WebServer::stop() {
    if (m_server)
        m_server->stop();
}

std::string WebServer::url() const {
    std::string host = m_options.host;
    if (host.find(':') != std::string::npos)
        host = "[" + host + "]";
    if (host == "0.0.0.0" || host == "[::]")
        host = "localhost";
    return std::string(m_tls ? "https" : "http") + "://" + host + ":" + std::to_string(m_port) +
           "/";
}

bool WebServer::is_loopback(const std::string& host) {
    return host == "localhost" || host == "::1" || host.starts_with("127.");
}

}  // namespace casecrypt::web
