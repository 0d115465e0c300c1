// `casecrypt serve`: the main job on one machine. Every interval it fetches every mailbox, files
// what arrived into tickets (or keeps it as email backups) and delivers the outbox copies that
// are due. SIGTERM or SIGINT ends it after the step in progress. The web server joins this
// process in a later issue; several nodes can run it against one PostgreSQL (claims skip what
// another node holds).
#include <atomic>
#include <chrono>
#include <csignal>
#include <iostream>
#include <memory>
#include <thread>

#include "cli/commands.h"
#include "cli/incoming_output.h"
#include "core/iso_time.h"
#include "core/log.h"

namespace casecrypt::cli {
namespace {

std::atomic<bool> g_stop{false};

extern "C" void request_stop(int) {
    g_stop = true;
}

struct ServeOptions {
    int interval = 60;
    int rounds = 0;  // 0: until stopped
};

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

int run_serve(services::Installation& installation, const Clock& clock, const ServeOptions& o) {
    std::signal(SIGTERM, request_stop);
    std::signal(SIGINT, request_stop);
    std::cout << "casecrypt serve: data directory " << installation.data_dir().string()
              << ", every " << o.interval << " s; SIGTERM or Ctrl-C stops" << std::endl;
    for (int done = 0; !g_stop && (o.rounds == 0 || done < o.rounds); ++done) {
        try {
            round(installation, clock);
        } catch (const std::exception& e) {
            spdlog::error("unexpected error in a round of the main job: {}", e.what());
        }
        if (o.rounds != 0 && done + 1 >= o.rounds)
            break;
        for (int s = 0; s < o.interval && !g_stop; ++s) {
            std::this_thread::sleep_for(std::chrono::seconds(1));
        }
    }
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
    serve->footer(
        "Each round fetches every mailbox, files new mail into tickets (or keeps it as an email\n"
        "backup) and delivers the outbox; each round's summary starts with its time (UTC).\n"
        "Example:\n  casecrypt serve --interval 60");
    serve->callback([o, &action] {
        action = [o](CliContext& ctx, services::Installation& installation) {
            return run_serve(installation, ctx.clock(), *o);
        };
    });
}

}  // namespace casecrypt::cli
