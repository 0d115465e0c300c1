// `casecrypt serve`: the main job on one machine. Every interval it fetches every mailbox, files
// what arrived into tickets (or keeps it as email backups) and delivers the outbox copies that
// are due; after each round, and whenever one comes due in between, it runs the timer
// workflows (each period once across every node on the database); beside it, on threads of its own
// (each with its own Installation), the web server: the pages and the JSON API (web/web_server.h,
// docs/api.md). SIGTERM or SIGINT ends both: the round after the step in progress, the web server
// after the requests in flight. Several nodes can run it against one PostgreSQL (claims skip what
// another node holds).
#include <pthread.h>

#include <atomic>
#include <charconv>
#include <chrono>
#include <csignal>
#include <iostream>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

#include "cli/commands.h"
#include "cli/incoming_output.h"
#include "core/iso_time.h"
#include "core/log.h"
#include "web/web_server.h"

namespace casecrypt::cli {
namespace {

std::atomic<bool> g_stop{false};

extern "C" void request_stop(int) {
    g_stop = true;
}

struct ServeOptions {
    int interval = 60;
    int rounds = 0;      // 0: until stopped
    std::string listen;  // ADDR:PORT; empty: the default (and with --rounds: no web server)
    std::string tls_certificate, tls_key;
    std::vector<std::string> trusted_proxies;
    bool no_web = false;
    bool no_poll = false;
};

constexpr const char* kDefaultListen = "127.0.0.1:8080";

// "127.0.0.1:8080", "[::1]:8443", "0.0.0.0:80" (port 0: any free one).
Result<std::pair<std::string, int>> parse_listen(const std::string& text) {
    const auto colon = text.rfind(':');
    if (colon == std::string::npos || colon == 0)
        return fail(Errc::usage, "--listen takes ADDR:PORT, e.g. " + std::string(kDefaultListen));
    std::string host = text.substr(0, colon);
    if (host.size() > 2 && host.front() == '[' && host.back() == ']')
        host = host.substr(1, host.size() - 2);
    const std::string port_text = text.substr(colon + 1);
    int port = -1;
    auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc() || end != port_text.data() + port_text.size() || port < 0 ||
        port > 65535) {
        return fail(Errc::usage, "--listen: \"" + port_text + "\" is not a port (0-65535)");
    }
    return std::pair<std::string, int>(host, port);
}

// The web server on a thread of its own, stopped and joined when this goes away.
class WebThread {
public:
    explicit WebThread(std::unique_ptr<web::WebServer> server) : m_server(std::move(server)) {
        // The server's threads leave SIGTERM and SIGINT to the main thread, which stops them.
        sigset_t signals, previous;
        sigemptyset(&signals);
        sigaddset(&signals, SIGTERM);
        sigaddset(&signals, SIGINT);
        pthread_sigmask(SIG_BLOCK, &signals, &previous);
        m_thread = std::thread([this] { m_server->run(); });
        pthread_sigmask(SIG_SETMASK, &previous, nullptr);
        // stop() before the server listens would not stop it.
        for (int i = 0; i < 500 && !m_server->is_running(); ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ~WebThread() {
        m_server->stop();
        if (m_thread.joinable())
            m_thread.join();
    }
    WebThread(const WebThread&) = delete;
    WebThread& operator=(const WebThread&) = delete;
    const web::WebServer& server() const { return *m_server; }

private:
    std::unique_ptr<web::WebServer> m_server;
    std::thread m_thread;
};

// Creates, binds and starts the web server; prints its URL, and the first admin's one-time
// password on the first start.
Result<std::unique_ptr<WebThread>> start_web(CliContext& ctx, services::Installation& installation,
                                             const ServeOptions& o) {
    auto address = parse_listen(o.listen.empty() ? kDefaultListen : o.listen);
    if (!address)
        return std::unexpected(address.error());
    web::WebServerOptions options;
    options.host = address->first;
    options.port = address->second;
    if (!o.tls_certificate.empty())
        options.tls_certificate = o.tls_certificate;
    if (!o.tls_key.empty())
        options.tls_key = o.tls_key;
    options.trusted_proxies = o.trusted_proxies;
    auto server = web::WebServer::create(ctx.installation_options(), ctx.clock(), options);
    if (!server)
        return std::unexpected(server.error());
    if (auto bound = (*server)->bind(); !bound)
        return std::unexpected(bound.error());
    if (!(*server)->tls() && !web::WebServer::is_loopback(address->first)) {
        ctx.warn("serving plain HTTP on " + address->first +
                 ": passwords and session cookies cross the network readable (give --tls-cert "
                 "and --tls-key, or put a reverse proxy with TLS in front; docs/web.md)");
    }
    auto first_admin = installation.users().ensure_first_admin();
    if (!first_admin)
        return std::unexpected(first_admin.error());
    auto thread = std::make_unique<WebThread>(std::move(*server));
    std::cout << "casecrypt serve: web server at " << thread->server().url() << std::endl;
    if (*first_admin) {
        std::cout << "first start: user admin, one-time password " << (*first_admin)->reveal()
                  << " (change it at first login)" << std::endl;
    }
    return thread;
}

// "2026-12-07T17:20:00Z " before each round's lines, so a log of many rounds says when.
std::string stamp(const Clock& clock) {
    return to_iso8601(clock.now()) + " ";
}

// One round; problems are logged and the next round tries again: one account that cannot be
// read, one mail that cannot be filed, even our database failing for a while, never end the job.
void round(services::Installation& installation, const Clock& clock) {
    auto report = installation.polling_round().run({.account = "", .deliver = true});
    if (!report) {
        std::cout << stamp(clock) << "round failed: " << one_line(report.error().message())
                  << std::endl;
        return;
    }
    const std::string at = stamp(clock);
    for (const auto& account : report->accounts) {
        if (account.error) {
            std::cout << at << "account " << account.name
                      << " could not be read: " << one_line(*account.error) << std::endl;
        }
    }
    if (report->processing_error) {
        std::cout << at << "processing failed: " << one_line(report->processing_error->message())
                  << std::endl;
    }
    const auto& t = report->totals;
    if (t.fetched + t.new_tickets + t.appended + t.backups + t.duplicates + t.failed > 0) {
        std::cout << at << t.fetched << " new mail" << (t.fetched == 1 ? "" : "s") << " fetched; "
                  << totals_line(t) << std::endl;
    }
    if (report->delivery_error) {
        std::cout << at << "delivery failed: " << one_line(*report->delivery_error) << std::endl;
    } else if (report->delivered > 0) {
        std::cout << at << report->delivered << " outbox cop"
                  << (report->delivered == 1 ? "y" : "ies") << " handled" << std::endl;
    }
}

// Runs the timer workflows whose period has come (each period once across every process on the
// database: Workflows claims it); a failure is logged and the next call tries again.
void run_timers(services::Installation& installation, const Clock& clock) {
    try {
        auto ran = installation.workflows().run_due_timers();
        if (!ran) {
            std::cout << stamp(clock)
                      << "timer workflows failed: " << one_line(ran.error().message()) << std::endl;
        } else if (*ran > 0) {
            std::cout << stamp(clock) << *ran << " timer workflow" << (*ran == 1 ? "" : "s")
                      << " ran" << std::endl;
        }
    } catch (const std::exception& e) {
        spdlog::error("unexpected error running the timer workflows: {}", e.what());
    }
}

// When the next timer workflow is due; none without one (or when it cannot be read: the next
// look tries again).
std::optional<TimePoint> next_timer(services::Installation& installation) {
    auto next = installation.workflows().next_timer();
    return next ? *next : std::nullopt;
}

// Waits `interval` seconds for the next round, running the timer workflows whenever one comes
// due on the way, so a one-minute timer runs every minute whatever the interval. The next due
// time is read again every kTimerLook seconds too: a workflow added meanwhile (by the CLI, the
// web, another node) is not left waiting for the round.
void wait_for_next_round(services::Installation& installation, const Clock& clock, int interval) {
    constexpr int kTimerLook = 15;
    auto due = next_timer(installation);
    for (int s = 1; s <= interval && !g_stop; ++s) {
        std::this_thread::sleep_for(std::chrono::seconds(1));
        if (s % kTimerLook == 0)
            due = next_timer(installation);
        if (due && clock.now() >= *due && !g_stop) {
            run_timers(installation, clock);
            due = next_timer(installation);
        }
    }
}

int run_serve(CliContext& ctx, services::Installation& installation, const ServeOptions& o) {
    const Clock& clock = ctx.clock();
    std::signal(SIGTERM, request_stop);
    std::signal(SIGINT, request_stop);
    // cpp-httplib (Debian's build) writes to sockets without MSG_NOSIGNAL: a browser that goes
    // away in the middle of an answer must be a failed write, not the end of the process.
    std::signal(SIGPIPE, SIG_IGN);
    std::cout << "casecrypt serve: data directory " << installation.data_dir().string()
              << ", every " << o.interval << " s; SIGTERM or Ctrl-C stops" << std::endl;
    // With --rounds (scripts, tests) the web server runs only when --listen asks for it.
    std::unique_ptr<WebThread> web;
    if (!o.no_web && (o.rounds == 0 || !o.listen.empty())) {
        auto started = start_web(ctx, installation, o);
        if (!started)
            return ctx.report(started.error());
        web = std::move(*started);
    }
    if (o.no_poll) {
        while (!g_stop)
            std::this_thread::sleep_for(std::chrono::milliseconds(200));
        web.reset();
        std::cout << "casecrypt serve: stopped" << std::endl;
        return kExitOk;
    }
    for (int done = 0; !g_stop && (o.rounds == 0 || done < o.rounds); ++done) {
        try {
            round(installation, clock);
        } catch (const std::exception& e) {
            spdlog::error("unexpected error in a round of the main job: {}", e.what());
        }
        // The round's events ran their workflows inside it (PollingRound); the timers here.
        run_timers(installation, clock);
        if (o.rounds != 0 && done + 1 >= o.rounds)
            break;
        wait_for_next_round(installation, clock, o.interval);
    }
    web.reset();
    std::cout << "casecrypt serve: stopped" << std::endl;
    return kExitOk;
}

}  // namespace

void add_serve_command(CLI::App& app, Action& action) {
    auto o = std::make_shared<ServeOptions>();
    auto* serve = app.add_subcommand(
        "serve", "Run the main job: poll mailboxes, file mail, deliver the outbox");
    serve
        ->add_option("--interval", o->interval, "seconds to wait after a round before the next one")
        ->check(CLI::Range(1, 86400))
        ->capture_default_str();
    serve->add_option("--rounds", o->rounds, "stop after this many rounds (0: run until stopped)")
        ->check(CLI::NonNegativeNumber)
        ->capture_default_str();
    serve->add_option("--listen", o->listen,
                      "ADDR:PORT of the web server (default " + std::string(kDefaultListen) +
                          "; port 0: any free port, the URL printed says which)");
    auto* cert = serve->add_option("--tls-cert", o->tls_certificate,
                                   "serve HTTPS with this certificate (chain), PEM");
    auto* key = serve->add_option("--tls-key", o->tls_key, "the private key of --tls-cert, PEM");
    cert->needs(key);
    key->needs(cert);
    serve->add_option("--trusted-proxy", o->trusted_proxies,
                      "the address of a reverse proxy in front (repeatable): for requests from it "
                      "the client address (which failed logins are counted by) is the last "
                      "X-Forwarded-For entry");
    auto* no_web = serve->add_flag("--no-web", o->no_web, "run the polling rounds only");
    auto* no_poll =
        serve->add_flag("--no-poll", o->no_poll, "run the web server only (no polling rounds)");
    no_web->excludes(no_poll);
    serve->footer(
        "Each round fetches every mailbox, files new mail into tickets (or keeps it as an email\n"
        "backup), runs the workflows that mail fires and delivers the outbox; each round's\n"
        "summary starts with its time (UTC). Timer workflows run after each round and whenever\n"
        "one comes due between rounds (each period once, whatever the number of nodes).\n"
        "Beside the rounds the web server serves the pages and the JSON API (docs/api.md); on\n"
        "the first start it makes the user admin and prints its one-time password. With\n"
        "--rounds the web server runs only when --listen is given.\n"
        "Example:\n  casecrypt serve --listen 127.0.0.1:8080 --interval 60");
    serve->callback([o, &action] {
        action = [o](CliContext& ctx, services::Installation& installation) {
            return run_serve(ctx, installation, *o);
        };
    });
}

}  // namespace casecrypt::cli
