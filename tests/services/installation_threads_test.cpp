// Installations are one per thread (services/installation.h): four threads, each with its own
// Installation over one data directory, start at once on an empty database (so they also race
// to migrate it and to make the master key), import the same certificate and send mail. Every
// mail must be queued once, the certificate stored once, and no "database is locked" (SQLite)
// or unique-violation error may reach a caller. Once on SQLite, once on PostgreSQL. The same for
// workflow events and timers: each runs once however many Installations take them.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <functional>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "core/clock.h"
#include "services/installation.h"
#include "support/openssl_cli.h"
#include "support/run_cli.h"

namespace casecrypt::services {
namespace {

constexpr int kThreads = 4;
constexpr int kMailsPerThread = 5;

std::string postgres_url() {
    const char* file = std::getenv("CASECRYPT_TEST_PG_URL_FILE");
    std::ifstream in(file != nullptr ? file : "");
    std::string url;
    std::getline(in, url);
    return url;
}

// Options for the harness's PostgreSQL, emptied first; an empty URL when it did not start.
InstallationOptions fresh_postgres(const test::TempDir& dir) {
    InstallationOptions options;
    options.data_dir = dir.path() / "data";
    options.database_url = postgres_url();
    if (!options.database_url.empty()) {
        test::shell("psql -q " + test::quote(options.database_url) +
                    " -c 'DROP SCHEMA public CASCADE; CREATE SCHEMA public;' >/dev/null 2>&1");
    }
    return options;
}

struct Outcome {
    std::mutex mutex;
    std::vector<std::string> errors;
    std::set<long long> outbox_ids;
    int imported = 0;
    int already_present = 0;

    void error(int thread, const std::string& what, const Error& error) {
        std::lock_guard lock(mutex);
        errors.push_back("thread " + std::to_string(thread) + ", " + what + ": " + error.message());
    }
};

// One thread's work, on an Installation of its own.
void work(int thread, const InstallationOptions& options, Outcome& outcome) {
    SystemClock clock;
    auto installation = Installation::open(options, clock);
    if (!installation) {
        outcome.error(thread, "open", installation.error());
        return;
    }
    auto report = (*installation)
                      ->certificates()
                      .import_client(test::fixtures_dir() / "client/ok-rsa2048-dn-email.pem",
                                     "thread " + std::to_string(thread));
    if (!report) {
        outcome.error(thread, "import", report.error());
    } else {
        std::lock_guard lock(outcome.mutex);
        for (const auto& item : report->items) {
            outcome.imported += item.outcome == ImportOutcome::imported;
            outcome.already_present += item.outcome == ImportOutcome::already_present;
        }
    }
    // Every thread switches encryption on: concurrent writes of one property.
    if (auto on = (*installation)
                      ->properties()
                      .set("cmas-core-server", "mail.encryption", "true",
                           "thread " + std::to_string(thread));
        !on) {
        outcome.error(thread, "property", on.error());
    }
    for (int i = 0; i < kMailsPerThread; ++i) {
        SendRequest request;
        request.from = "helpdesk@desk.test";
        request.to = {"alice@example.test"};
        request.subject = "thread " + std::to_string(thread) + " mail " + std::to_string(i);
        request.text = "Hello from a thread.\n";
        request.encrypt = true;
        auto sent = (*installation)->outbox().send_now(request);
        if (!sent) {
            outcome.error(thread, "send " + std::to_string(i), sent.error());
            continue;
        }
        std::lock_guard lock(outcome.mutex);
        outcome.outbox_ids.insert(sent->outbox_ids.begin(), sent->outbox_ids.end());
    }
}

// Runs the four threads; `query` runs SQL against the same database and returns its output.
void expect_every_result_stored_once(const InstallationOptions& options,
                                     const std::function<std::string(std::string)>& query) {
    Outcome outcome;
    {
        std::vector<std::jthread> threads;
        for (int t = 0; t < kThreads; ++t) {
            threads.emplace_back(work, t, std::cref(options), std::ref(outcome));
        }
    }
    for (const std::string& error : outcome.errors) {
        ADD_FAILURE() << error;
        EXPECT_EQ(error.find("locked"), std::string::npos) << "SQLite's busy wait leaked out";
    }
    EXPECT_EQ(outcome.imported, 1);
    EXPECT_EQ(outcome.already_present, kThreads - 1);
    EXPECT_EQ(outcome.outbox_ids.size(), std::size_t{kThreads * kMailsPerThread});

    EXPECT_EQ(query("SELECT COUNT(*) FROM certificates"), "1\n");
    EXPECT_EQ(query("SELECT COUNT(*), COUNT(DISTINCT subject) FROM outbox WHERE encrypted = 1"),
              std::to_string(kThreads * kMailsPerThread) + "|" +
                  std::to_string(kThreads * kMailsPerThread) + "\n");
    EXPECT_EQ(query("SELECT COUNT(*) = COUNT(DISTINCT version) FROM schema_migrations"),
              query("SELECT 1 = 1"));
}

// A ScriptEngine that only counts what it is asked to run (thread-safe through the mutex).
struct RunCount {
    std::mutex mutex;
    std::vector<long long> tickets;
    int timer_runs = 0;
};
class CountingEngine final : public ScriptEngine {
public:
    explicit CountingEngine(RunCount& count) : m_count(count) {}
    std::optional<ScriptProblem> check(const std::string&, const std::string&) override {
        return std::nullopt;
    }
    WorkflowRunResult run(const WorkflowView&, const WorkflowTrigger& trigger) override {
        std::lock_guard lock(m_count.mutex);
        if (trigger.ticket)
            m_count.tickets.push_back(*trigger.ticket);
        else
            ++m_count.timer_runs;
        return {};
    }

private:
    RunCount& m_count;
};

// Workflow events and timers with four processes' worth of Installations on one database:
// every event runs exactly once, a due timer exactly once.
void expect_each_event_and_period_run_once(InstallationOptions options) {
    constexpr int kEvents = 40;
    RunCount count;
    options.script_engine = [&count](Installation&) {
        return std::make_unique<CountingEngine>(count);
    };
    SystemClock clock;
    {
        auto first = Installation::open(options, clock);
        ASSERT_TRUE(first) << first.error().message();
        auto& workflows = (*first)->workflows();
        ASSERT_TRUE(workflows.add({.name = "on-close",
                                   .event = WorkflowEvent::ticket_closed,
                                   .every_minutes = {},
                                   .script = "",
                                   .enabled = true},
                                  "test"));
        ASSERT_TRUE(workflows.add({.name = "tick",
                                   .event = WorkflowEvent::timer,
                                   .every_minutes = 5,
                                   .script = "",
                                   .enabled = true},
                                  "test"));
        for (int ticket = 1; ticket <= kEvents; ++ticket)
            ASSERT_TRUE(workflows.record(WorkflowEvent::ticket_closed, ticket));
    }
    // Six minutes later, four at once: each takes events and tries the timer.
    const FixedClock later(clock.now() + std::chrono::minutes(6));
    std::mutex errors_mutex;
    std::vector<std::string> errors;
    {
        std::vector<std::jthread> threads;
        for (int t = 0; t < kThreads; ++t) {
            threads.emplace_back([&] {
                auto installation = Installation::open(options, later);
                auto note = [&](const Error& e) {
                    std::lock_guard lock(errors_mutex);
                    errors.push_back(e.message());
                };
                if (!installation)
                    return note(installation.error());
                if (auto ran = (*installation)->workflows().run_due_timers(); !ran)
                    note(ran.error());
                if (auto ran = (*installation)->workflows().dispatch_pending(); !ran)
                    note(ran.error());
            });
        }
    }
    for (const auto& e : errors)
        ADD_FAILURE() << e;
    std::set<long long> distinct(count.tickets.begin(), count.tickets.end());
    EXPECT_EQ(count.tickets.size(), std::size_t{kEvents}) << "an event ran twice or not at all";
    EXPECT_EQ(distinct.size(), std::size_t{kEvents});
    EXPECT_EQ(count.timer_runs, 1);
}

TEST(InstallationThreads, WorkflowEventsAndTimersRunOnceOnOneSqliteDataDirectory) {
    test::TempDir dir;
    InstallationOptions options;
    options.data_dir = dir.path() / "data";
    expect_each_event_and_period_run_once(options);
}

TEST(InstallationThreads, WorkflowEventsAndTimersRunOnceOnOnePostgresqlDatabase) {
    test::TempDir dir;
    const InstallationOptions options = fresh_postgres(dir);
    ASSERT_FALSE(options.database_url.empty()) << "the postgres fixture did not start";
    expect_each_event_and_period_run_once(options);
}

TEST(InstallationThreads, OneInstallationPerThreadOnOneSqliteDataDirectory) {
    test::TempDir dir;
    InstallationOptions options;
    options.data_dir = dir.path() / "data";
    expect_every_result_stored_once(options, [&](const std::string& sql) {
        return test::shell("sqlite3 " + test::quote((options.data_dir / "casecrypt.db").string()) +
                           " " + test::quote(sql));
    });
}

TEST(InstallationThreads, OneInstallationPerThreadOnOnePostgresqlDatabase) {
    test::TempDir dir;
    const InstallationOptions options = fresh_postgres(dir);
    const std::string& url = options.database_url;
    ASSERT_FALSE(url.empty()) << "the postgres fixture did not start";
    expect_every_result_stored_once(options, [&](const std::string& sql) {
        return test::shell("psql -At -F '|' " + test::quote(url) + " -c " + test::quote(sql));
    });
}

}  // namespace
}  // namespace casecrypt::services
