// Crash safety of `casecrypt mail fetch` against a real Dovecot: a mailbox holds a few hundred
// mails (plain and openssl-smime-encrypted ones, made by make-incoming-mails.sh, each with a
// unique Message-ID and a unique token in its text); the fetch is started again and again and
// killed with SIGKILL at a random moment, until a run ends by itself having nothing left to do.
// Then every mail must be exactly one ticket message: nothing lost, nothing twice, no backups.
// The random delays start at 20-600 ms and grow by a tenth after each random kill, and after
// kMaxRandomKills no run is killed any more, so the loop ends on a machine of any speed (an ASan
// build beside `stress --cpu 2` never finished a run inside 600 ms: 1,243 kills, no end).
// Once over IMAP (read mail is flagged \Seen) and once over POP3 with
// cmas-nimh / mailbox.default.task.delete.read.messages = true (the mailbox must end empty).
//
// The mails are dropped into a Maildir of this test's own (<maildir>/example.test/<box>, which
// Dovecot serves to <box>@example.test) the way a delivery agent does: written into tmp/, owned
// by 65534 (the uid Dovecot reads as), renamed into new/.
//
// Environment: CASECRYPT_CRASH_MAILS (how many mails, at most 300, default 300),
// CASECRYPT_CRASH_SEED (repeat a run; the seed is printed either way).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <regex>
#include <thread>

#include "support/run_cli.h"

extern char** environ;

namespace casecrypt::test {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

std::string slurp(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

int mail_count() {
    const std::string n = env_or_empty("CASECRYPT_CRASH_MAILS");
    return n.empty() ? 300 : std::stoi(n);
}

std::uint64_t seed() {
    const std::string s = env_or_empty("CASECRYPT_CRASH_SEED");
    return s.empty() ? std::random_device{}() : std::stoull(s);
}

int count_files(const fs::path& dir) {
    int n = 0;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(dir, ec))
        n += entry.is_regular_file();
    return n;
}

// How one run of the child ended.
struct FetchRun {
    bool killed = false;  // by us, with SIGKILL
    bool signaled = false;
    int signal = 0;
    int exit_code = -1;
    std::string out, err;
};

class IncomingCrash : public ::testing::Test {
protected:
    void SetUp() override {
        ASSERT_FALSE(harness_state("CASECRYPT_TEST_DOVECOT_DIR", "imap_port").empty())
            << "dovecot fixture";
        const fs::path mails = env_or_empty("CASECRYPT_TEST_MAILS");
        ASSERT_TRUE(fs::exists(mails / "crash" / "0000.eml"))
            << "make-incoming-mails.sh fixture: " << mails;
        ok(cli({"cert", "import-server", (fixtures_dir() / "server/ok-aes256.p12").string(),
                "--password-file", (fixtures_dir() / "server/ok-aes256.pass").string()}));
        ok(cli({"property", "set", "cmas-nimh", "mailbox.default.task.ca.file",
                (fs::path(env_or_empty("CASECRYPT_TEST_DOVECOT_DIR")) / "ca.pem").string()}));
        // Every attempt counts, one the process did not survive too, and a mail that was being
        // filed at three kills would rightly become a backup. The kills here are the test's,
        // not the mail's fault: this test is about exactly once, so attempts are not limited.
        ok(cli({"property", "set", "cmas-nimh", "mailbox.default.task.max.attempts", "100000"}));
        m_mails = mail_count();
        ASSERT_LE(m_mails, 300);
        ASSERT_GE(m_mails, 1);
    }

    CliResult cli(std::vector<std::string> args) {
        args.insert(args.begin(), {"--data-dir", data().string()});
        return run_cli(args);
    }
    void ok(const CliResult& r) { ASSERT_EQ(r.exit_code, 0) << r.out << r.err; }
    fs::path data() const { return m_dir.path() / "data"; }
    json cli_json(std::vector<std::string> args) {
        const auto r = cli(std::move(args));
        EXPECT_EQ(r.exit_code, 0) << r.err;
        return json::parse(r.out, nullptr, false);
    }

    // A Maildir of this test holding the first m_mails crash mails; returns the box name.
    std::string fill_box(const std::string& prefix) {
        const fs::path maildir = harness_state("CASECRYPT_TEST_DOVECOT_DIR", "maildir");
        const std::string name = prefix + "-" + std::to_string(::getpid()) + "-" +
                                 std::to_string(std::random_device{}() % 100000);
        m_box = maildir / "example.test" / name;
        fs::create_directories(maildir / "example.test");
        EXPECT_EQ(::chown((maildir / "example.test").c_str(), 65534, 65534), 0);
        for (const char* sub : {"", "cur", "new", "tmp"}) {
            fs::create_directories(m_box / sub);
            EXPECT_EQ(::chown((m_box / sub).c_str(), 65534, 65534), 0);
        }
        const fs::path mails = fs::path(env_or_empty("CASECRYPT_TEST_MAILS")) / "crash";
        for (int i = 0; i < m_mails; ++i) {
            char file[16];
            std::snprintf(file, sizeof file, "%04d.eml", i);
            // Maildir names: unique, no '/' or ':'.
            const std::string unique = "1764288000." + std::to_string(i) + ".crashtest";
            const fs::path tmp = m_box / "tmp" / unique;
            fs::copy_file(mails / file, tmp);
            EXPECT_EQ(::chown(tmp.c_str(), 65534, 65534), 0);
            fs::rename(tmp, m_box / "new" / unique);
        }
        return name;
    }

    // Starts `casecrypt mail fetch --account NAME`, and kills it with SIGKILL after `delay`
    // unless it ended before; with a `marker` also as soon as its log (--log-level info) holds
    // that line `count` times: ": stored mail " in the middle of the download, when the server
    // has been told about some mails (marked seen, or DELE sent) and the session is still open;
    // ": filed into ticket " in the middle of processing.
    FetchRun run_fetch(const std::string& account, std::chrono::milliseconds delay,
                       const char* marker = nullptr, int count = 0) {
        const bool watch = marker != nullptr && count > 0;
        const fs::path out = m_dir.path() / "fetch.out", err = m_dir.path() / "fetch.err";
        const std::string bin = casecrypt_binary();
        const std::string data_dir = data().string();
        std::vector<std::string> args = {
            bin,    "--data-dir", data_dir,    "--log-level", watch ? "info" : "warn",
            "mail", "fetch",      "--account", account};
        std::vector<char*> argv;
        for (auto& a : args)
            argv.push_back(a.data());
        argv.push_back(nullptr);
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
        posix_spawn_file_actions_addopen(&actions, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                         0600);
        posix_spawn_file_actions_addopen(&actions, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                         0600);
        pid_t pid = 0;
        const int spawned = posix_spawn(&pid, bin.c_str(), &actions, nullptr, argv.data(), environ);
        posix_spawn_file_actions_destroy(&actions);
        FetchRun run;
        if (spawned != 0) {
            ADD_FAILURE() << "cannot start " << bin;
            return run;
        }
        const auto deadline = Clock::now() + delay;
        int status = 0;
        for (;;) {
            const pid_t done = ::waitpid(pid, &status, WNOHANG);
            if (done == pid)
                break;
            if (Clock::now() >= deadline || (watch && lines_so_far(err, marker) >= count)) {
                ::kill(pid, SIGKILL);
                ::waitpid(pid, &status, 0);
                run.killed = true;
                break;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(2));
        }
        if (WIFSIGNALED(status)) {
            run.signaled = true;
            run.signal = WTERMSIG(status);
        } else {
            run.exit_code = WEXITSTATUS(status);
        }
        run.out = slurp(out);
        run.err = slurp(err);
        return run;
    }

    static int lines_so_far(const fs::path& log, const std::string& marker) {
        const std::string text = slurp(log);
        int n = 0;
        for (auto at = text.find(marker); at != std::string::npos; at = text.find(marker, at + 1))
            ++n;
        return n;
    }

    // The random kills: after each one the delay range grows by kDelayGrowth, so on a slow or
    // busy machine a run gets long enough to finish; after kMaxRandomKills a run is no longer
    // killed at random (only kUnkilledRun ends it, as a hang). At most about 100 s of delays.
    static constexpr double kDelayGrowth = 1.1;
    static constexpr int kMaxRandomKills = 30;
    static constexpr std::chrono::milliseconds kUnkilledRun{240000};
    // Under CTest's 600 s for both tests of this file.
    static constexpr std::chrono::seconds kLoopBudget{280};

    static std::chrono::milliseconds random_kill_delay(double base_ms, int kills) {
        if (kills >= kMaxRandomKills)
            return kUnkilledRun;
        return std::chrono::milliseconds(
            static_cast<long long>(base_ms * std::pow(kDelayGrowth, kills)));
    }

    // Kills and restarts the fetch until a run ends by itself, exit 0, having done nothing. A run
    // that ends by itself with another exit code (or a signal of its own) is a failure, but the
    // loop goes on (at most kMaxFailedRuns of them), so one mailbox error does not hide whether
    // the crashes lost or doubled a mail.
    void fetch_until_quiet(const std::string& account) {
        constexpr int kMaxFailedRuns = 20;
        const std::uint64_t s = seed();
        std::cout << "[ seed     ] CASECRYPT_CRASH_SEED=" << s << " (" << m_mails << " mails)"
                  << std::endl;
        RecordProperty("seed", std::to_string(s));
        std::mt19937_64 random(s);
        std::uniform_real_distribution<double> delay_ms(20, 600);
        int killed = 0, random_kills = 0, finished = 0, failed = 0;
        std::string first_failure;
        const auto start = Clock::now();
        for (int round = 1;; ++round) {
            ASSERT_LT(Clock::now() - start, kLoopBudget)
                << "no run finished quietly in time (" << killed << " kills, " << finished
                << " finished runs, " << failed << " failed)\n"
                << first_failure;
            const auto delay = random_kill_delay(delay_ms(random), random_kills);
            // The first run is killed in the middle of the download for sure, the second in the
            // middle of filing (random delays may all land elsewhere); the others at random.
            const char* marker = round == 1   ? ": stored mail "
                                 : round == 2 ? ": filed into ticket "
                                              : nullptr;
            const int count = round <= 2 ? m_mails / 3 : 0;
            const FetchRun run = run_fetch(
                account, round <= 2 ? std::chrono::milliseconds(120000) : delay, marker, count);
            if (round <= 2 && !run.killed && !run.signaled && run.exit_code == 0) {
                ADD_FAILURE() << "run " << round << " ended before its log said \"" << marker
                              << "\" " << count << " times:\n"
                              << run.out;
            }
            if (run.killed) {
                ++killed;
                random_kills += round > 2;
                continue;
            }
            ++finished;
            if (run.signaled || run.exit_code != 0) {
                if (++failed == 1) {
                    first_failure = "round " + std::to_string(round) + ": " +
                                    (run.signaled ? "signal " + std::to_string(run.signal)
                                                  : "exit " + std::to_string(run.exit_code)) +
                                    "\n" + run.err;
                }
                ASSERT_LT(failed, kMaxFailedRuns) << "runs keep failing; the first:\n"
                                                  << first_failure;
                continue;
            }
            if (run.out.find(": 0 new mails stored") != std::string::npos &&
                run.out.find("0 filed into tickets, 0 kept as email backups") !=
                    std::string::npos) {
                std::cout << "[ crash    ] " << killed << " runs killed, " << finished
                          << " finished (" << failed << " failed), "
                          << std::chrono::duration_cast<std::chrono::seconds>(Clock::now() - start)
                                 .count()
                          << " s; last: " << run.out << std::flush;
                m_last = run.out;
                EXPECT_EQ(failed, 0)
                    << "a fetch that ended by itself failed " << failed << " times; the first:\n"
                    << first_failure;
                EXPECT_GE(killed, 2)
                    << "the download and the filing were each killed once at least";
                return;
            }
        }
    }

    // Every mail exactly once among all tickets' messages; no backups.
    void expect_each_mail_once() {
        EXPECT_EQ(cli_json({"backup", "list", "--json"}).size(), 0u);
        std::map<std::string, int> tokens;
        int messages = 0;
        const std::regex token("crash-token-([0-9]{4})");
        for (const auto& t : cli_json({"ticket", "list", "--json"})) {
            const auto shown = cli_json(
                {"ticket", "show", std::to_string(t["number"].get<long long>()), "--json"});
            for (const auto& m : shown["messages"]) {
                ++messages;
                const std::string text = m["text"].is_string() ? m["text"].get<std::string>() : "";
                std::smatch match;
                if (std::regex_search(text, match, token)) {
                    ++tokens[match[1]];
                } else {
                    ADD_FAILURE() << "a ticket message without a token: " << m.dump();
                }
                const std::string id = m["message_id"];
                const bool odd = !match.empty() && std::stoi(match[1]) % 2 == 1;
                EXPECT_EQ(m["encrypted"].get<bool>(), odd) << id;
            }
        }
        EXPECT_EQ(messages, m_mails) << "every mail is exactly one ticket message";
        for (int i = 0; i < m_mails; ++i) {
            char name[16];
            std::snprintf(name, sizeof name, "%04d", i);
            const auto it = tokens.find(name);
            EXPECT_EQ(it == tokens.end() ? 0 : it->second, 1) << "crash-token-" << name;
        }
    }

    TempDir m_dir;
    fs::path m_box;
    int m_mails = 0;
    std::string m_last;
};

TEST_F(IncomingCrash, KilledAtRandomOverImapEveryMailBecomesExactlyOneTicketMessage) {
    const std::string box = fill_box("crash-imap");
    ok(cli(
        {"account", "add", "support", "--url",
         "imap://127.0.0.1:" + harness_state("CASECRYPT_TEST_DOVECOT_DIR", "imap_port") + "/INBOX",
         "--user", box + "@example.test", "--password-file",
         (fs::path(env_or_empty("CASECRYPT_TEST_DOVECOT_DIR")) / "password").string()}));
    fetch_until_quiet("support");
    if (HasFatalFailure())
        return;
    EXPECT_NE(m_last.find("(" + std::to_string(m_mails) + " in the mailbox)"), std::string::npos)
        << m_last;
    expect_each_mail_once();
    // Marked \Seen, not deleted: all still there, all flagged S (Maildir info ":2,S").
    int seen = 0;
    for (const auto& entry : fs::directory_iterator(m_box / "cur")) {
        const std::string name = entry.path().filename().string();
        const auto info = name.find(":2,");
        seen += info != std::string::npos && name.find('S', info) != std::string::npos;
    }
    EXPECT_EQ(count_files(m_box / "new") + count_files(m_box / "cur"), m_mails);
    EXPECT_EQ(seen, m_mails) << "every mail is flagged \\Seen";
}

TEST_F(IncomingCrash, KilledAtRandomOverPop3WithDeleteEveryMailBecomesExactlyOneTicketMessage) {
    ok(cli({"property", "set", "cmas-nimh", "mailbox.default.task.delete.read.messages", "true"}));
    const std::string box = fill_box("crash-pop3");
    ok(cli({"account", "add", "support", "--url",
            "pop3://127.0.0.1:" + harness_state("CASECRYPT_TEST_DOVECOT_DIR", "pop3_port") + "/",
            "--user", box + "@example.test", "--password-file",
            (fs::path(env_or_empty("CASECRYPT_TEST_DOVECOT_DIR")) / "password").string()}));
    fetch_until_quiet("support");
    if (HasFatalFailure())
        return;
    expect_each_mail_once();
    EXPECT_NE(m_last.find("(0 in the mailbox)"), std::string::npos)
        << "the quiet run found the mailbox empty: " << m_last;
    EXPECT_EQ(count_files(m_box / "new") + count_files(m_box / "cur"), 0)
        << "the Dovecot mailbox ends empty";
}

}  // namespace
}  // namespace casecrypt::test
