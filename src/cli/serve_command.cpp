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

// One round; problems are logged and the next round tries again: one account that cannot be
// read, one mail that cannot be filed, even our database failing for a while, never end the job.
void round(services::Installation& installation) {
    auto accounts = installation.accounts().list();
    if (!accounts) {
        spdlog::error("{}", accounts.error().message());
        return;
    }
    for (const auto& account : *accounts) {
        if (g_stop)
            return;
        auto fetched = installation.incoming().fetch(account.name);
        if (!fetched) {
            spdlog::error("account {}: {}", account.name, fetched.error().message());
        } else if (!fetched->error.empty()) {
            spdlog::warn("account {}: {}", account.name, fetched->error);
        } else if (fetched->fetched > 0) {
            spdlog::info("account {}: {} new mails", account.name, fetched->fetched);
        }
    }
    auto processed = installation.incoming().process_pending();
    if (!processed) {
        spdlog::error("{}", processed.error().message());
    } else if (processed->filed + processed->backups + processed->failed > 0) {
        std::cout << processed->filed << " filed into tickets, " << processed->backups
                  << " kept as email backups";
        if (processed->failed > 0)
            std::cout << ", " << processed->failed << " to be tried again";
        std::cout << std::endl;
    }
    auto delivered = installation.delivery().deliver_due();
    if (!delivered) {
        spdlog::error("{}", delivered.error().message());
    } else if (!delivered->empty()) {
        std::cout << delivered->size() << " outbox cop" << (delivered->size() == 1 ? "y" : "ies")
                  << " handled" << std::endl;
    }
}

int run_serve(services::Installation& installation, const ServeOptions& o) {
    std::signal(SIGTERM, request_stop);
    std::signal(SIGINT, request_stop);
    std::cout << "casecrypt serve: data directory " << installation.data_dir().string()
              << ", every " << o.interval << " s; SIGTERM or Ctrl-C stops" << std::endl;
    for (int done = 0; !g_stop && (o.rounds == 0 || done < o.rounds); ++done) {
        try {
            round(installation);
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
    serve->add_option("--interval", o->interval, "seconds between rounds")
        ->check(CLI::Range(1, 86400))
        ->capture_default_str();
    serve->add_option("--rounds", o->rounds, "stop after this many rounds (0: run until stopped)")
        ->check(CLI::NonNegativeNumber)
        ->capture_default_str();
    serve->callback([o, &action] {
        action = [o](CliContext&, services::Installation& installation) {
            return run_serve(installation, *o);
        };
    });
}

}  // namespace casecrypt::cli
