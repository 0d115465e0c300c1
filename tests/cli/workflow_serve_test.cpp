// Workflows under `casecrypt serve` (the real binary, as processes): a `timer` workflow runs once
// per period with two serve processes on one database (SQLite, and the harness's PostgreSQL when
// it is there) and in each round of `serve --rounds N`, and the web server keeps answering while
// a runaway script runs in a round.
//
// The timer test runs in real time (there is no clock override): two periods of one minute,
// about two minutes of wall time, SQLite and PostgreSQL at once.
#include <fcntl.h>
#include <httplib.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <thread>

#include "support/openssl_cli.h"
#include "support/workflow_desk.h"

extern char** environ;

namespace casecrypt::test {
namespace {

using namespace std::chrono_literals;

// One `casecrypt serve` process; its stdout and stderr go to files beside the data directory.
// SIGTERM and a wait when it goes away.
class ServeProcess {
public:
    ServeProcess(const std::string& data, const std::string& database,
                 std::vector<std::string> options, const std::string& tag)
        : m_out(std::filesystem::path(data).parent_path() / ("serve-" + tag + ".out")),
          m_err(std::filesystem::path(data).parent_path() / ("serve-" + tag + ".err")) {
        const std::string bin = casecrypt_binary();
        std::vector<std::string> args = {bin, "--data-dir", data};
        if (!database.empty())
            args.insert(args.end(), {"--database", database});
        args.push_back("serve");
        args.insert(args.end(), options.begin(), options.end());
        m_pid = ::fork();
        if (m_pid == 0) {
            const int o = ::open(m_out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
            const int e = ::open(m_err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
            ::dup2(o, 1);
            ::dup2(e, 2);
            std::vector<char*> argv;
            for (auto& a : args)
                argv.push_back(a.data());
            argv.push_back(nullptr);
            ::execve(bin.c_str(), argv.data(), environ);
            ::_exit(127);
        }
    }
    ~ServeProcess() { stop(); }
    ServeProcess(const ServeProcess&) = delete;
    ServeProcess& operator=(const ServeProcess&) = delete;

    // SIGTERM, then its exit code (128 + signal when a signal ended it).
    int stop() { return stop_process(m_pid); }
    std::string output() const { return slurp(m_out) + slurp(m_err); }
    // The port of "web server at http://127.0.0.1:PORT/", waiting up to 60 s for it; 0 if none.
    int port() const {
        static const std::regex url(R"(web server at http://127\.0\.0\.1:(\d+)/)");
        std::smatch match;
        for (auto deadline = std::chrono::steady_clock::now() + 60s;
             std::chrono::steady_clock::now() < deadline; std::this_thread::sleep_for(50ms)) {
            const std::string seen = slurp(m_out);
            if (std::regex_search(seen, match, url))
                return std::stoi(match[1].str());
        }
        return 0;
    }

private:
    std::filesystem::path m_out, m_err;
    pid_t m_pid = -1;
};

std::string postgres_url() {
    std::ifstream in(env_or_empty("CASECRYPT_TEST_PG_URL_FILE"));
    std::string url;
    std::getline(in, url);
    return url;
}

// One data directory (and database) with a one-minute timer workflow and two serve processes.
struct TimerInstallation {
    // `processes` serve processes started at once (0: none, the test runs its own).
    TimerInstallation(std::string database_url, int processes) : database(std::move(database_url)) {
        const auto added = cli({"workflow", "add", "tick", "--on", "timer", "--every", "1",
                                desk.script("tick", "workflowAPI.log(\"tick\")\n")});
        EXPECT_EQ(added.exit_code, 0) << added.err;
        for (const std::string tag : {"a", "b"}) {
            if (static_cast<int>(serves.size()) == processes)
                break;
            serves.push_back(std::make_unique<ServeProcess>(
                desk.data(), database, std::vector<std::string>{"--no-web", "--interval", "3600"},
                database.empty() ? std::string("sqlite-") + tag : std::string("pg-") + tag));
        }
    }
    CliResult cli(std::vector<std::string> args) const {
        if (!database.empty())
            args.insert(args.begin(), {"--database", database});
        return desk.run(args);
    }
    nlohmann::json runs() const {
        const auto r = cli({"workflow", "runs", "tick", "--json"});
        return r.exit_code == 0 ? nlohmann::json::parse(r.out, nullptr, false)
                                : nlohmann::json::array();
    }
    // The two processes' output, for a failure message.
    std::string outputs() const {
        std::string all;
        for (const auto& s : serves)
            all += s->output() + "\n---\n";
        return all;
    }

    WorkflowDesk desk;
    std::string database;
    std::vector<std::unique_ptr<ServeProcess>> serves;
};

// Newest first, as `workflow runs` lists them.
void expect_one_run_per_period(const nlohmann::json& runs, const std::string& what) {
    ASSERT_EQ(runs.size(), 2u) << what << ": " << runs.dump(2);
    for (const auto& run : runs) {
        EXPECT_EQ(run["outcome"], "ok") << what << ": " << run.dump(2);
        EXPECT_EQ(run["actor"], "timer") << what;
        EXPECT_TRUE(run["ticket"].is_null()) << what;
    }
    // ISO 8601 UTC of the same day: the seconds since midnight tell the gap.
    const auto seconds = [](const std::string& at) {
        return std::stoi(at.substr(11, 2)) * 3600 + std::stoi(at.substr(14, 2)) * 60 +
               std::stoi(at.substr(17, 2));
    };
    int gap = seconds(runs[0]["started"]) - seconds(runs[1]["started"]);
    if (gap < 0)
        gap += 24 * 3600;
    EXPECT_GE(gap, 55) << what << ": two runs in one period: " << runs.dump(2);
}

TEST(WorkflowServe, ATimerRunsOncePerPeriodWithTwoServeProcessesOnOneDatabase) {
    // Made now and left alone until the others have run twice: then its timer has been due for
    // a minute, and `serve --rounds 1` runs it in its one round.
    TimerInstallation rounds("", 0);
    std::vector<std::unique_ptr<TimerInstallation>> installations;
    installations.push_back(std::make_unique<TimerInstallation>("", 2));
    const std::string pg = postgres_url();
    if (!pg.empty()) {
        shell("psql -q " + quote(pg) +
              " -c 'DROP SCHEMA public CASCADE; CREATE SCHEMA public;' >/dev/null 2>&1");
        installations.push_back(std::make_unique<TimerInstallation>(pg, 2));
    }
    // Until each has two runs (two periods), and a little longer for a third that must not come.
    const auto deadline = std::chrono::steady_clock::now() + 140s;
    for (const auto& i : installations) {
        while (std::chrono::steady_clock::now() < deadline && i->runs().size() < 2u)
            std::this_thread::sleep_for(1s);
    }
    std::this_thread::sleep_for(5s);
    for (const auto& i : installations) {
        const auto runs = i->runs();
        for (const auto& s : i->serves)
            EXPECT_EQ(s->stop(), 0) << i->outputs();
        expect_one_run_per_period(runs, i->database.empty() ? "SQLite" : "PostgreSQL");
        // Between rounds (the interval is an hour), stamped like a round's lines.
        const std::regex ran(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ 1 timer workflow ran\n)");
        EXPECT_TRUE(std::regex_search(i->outputs(), ran)) << i->outputs();
    }
    const auto round = rounds.cli({"serve", "--rounds", "1"});
    EXPECT_EQ(round.exit_code, 0) << round.err;
    EXPECT_NE(round.out.find(" 1 timer workflow ran\n"), std::string::npos) << round.out;
    EXPECT_EQ(rounds.runs().size(), 1u) << rounds.runs().dump(2);
    if (pg.empty())
        GTEST_SKIP() << "no PostgreSQL harness (CASECRYPT_TEST_PG_URL_FILE): SQLite only";
}

// Runs that have ended (a run is recorded "running" when it starts).
int finished(const nlohmann::json& runs) {
    int n = 0;
    for (const auto& run : runs)
        n += run["outcome"] != "running" ? 1 : 0;
    return n;
}

TEST(WorkflowServe, TheWebServerAnswersWhileARunawayScriptRuns) {
    WorkflowDesk desk;
    // A budget that keeps each run busy for a second or more, so the requests below meet the
    // scripts running.
    desk.set_property("workflow.script.max.instructions", "150000000");
    ASSERT_EQ(
        desk.add("loops", "ticket-created", "local n = 0\nwhile true do n = n + 1 end\n").exit_code,
        0);
    for (int i = 0; i < 3; ++i) {
        const std::string id = "q-" + std::to_string(i) + "@example.test";
        desk.drop(id, mail_from("alice@example.test", "Question " + std::to_string(i), id));
    }
    ServeProcess serve(desk.data(), "", {"--listen", "127.0.0.1:0", "--interval", "1"}, "web");
    const int port = serve.port();
    ASSERT_GT(port, 0) << serve.output();
    httplib::Client client("127.0.0.1", port);
    client.set_connection_timeout(5);
    client.set_read_timeout(5);
    // Ask again and again until the three runs are recorded, and once after: every request is
    // answered (not logged in: 401) while the round is busy with the scripts.
    int answered = 0;
    int answered_during = 0;  // while a script was running
    const auto deadline = std::chrono::steady_clock::now() + 60s;
    do {
        const auto before = desk.runs();
        const bool running = static_cast<int>(before.size()) > finished(before);
        const auto started = std::chrono::steady_clock::now();
        const auto r = client.Get("/api/session");
        ASSERT_TRUE(r) << "no answer while the scripts run: " << serve.output();
        EXPECT_EQ(r->status, 401) << r->body;
        EXPECT_LT(std::chrono::steady_clock::now() - started, 2s) << "answered late";
        ++answered;
        answered_during += running ? 1 : 0;
        std::this_thread::sleep_for(100ms);
    } while (std::chrono::steady_clock::now() < deadline && finished(desk.runs()) < 3);
    const auto runs = desk.runs();
    ASSERT_EQ(runs.size(), 3u) << runs.dump(2) << serve.output();
    for (const auto& run : runs)
        EXPECT_EQ(run["outcome"], "stopped") << run.dump(2);
    EXPECT_EQ(desk.json({"ticket", "list", "--json"}).size(), 3u) << "each mail is filed";
    const auto after = client.Get("/api/session");
    ASSERT_TRUE(after) << serve.output();
    EXPECT_EQ(after->status, 401);
    EXPECT_GT(answered_during, 0) << "no request met a running script";
    EXPECT_EQ(serve.stop(), 0) << serve.output();
}

}  // namespace
}  // namespace casecrypt::test
