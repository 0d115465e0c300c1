#include "support/run_cli.h"

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <stdexcept>

extern char** environ;

namespace casecrypt::test {

std::string casecrypt_binary() {
    const char* bin = std::getenv("CASECRYPT_BIN");
    if (bin == nullptr || *bin == '\0') {
        std::cerr << "CASECRYPT_BIN is not set (ctest sets it)\n";
        std::abort();
    }
    return bin;
}

std::filesystem::path fixtures_dir() {
    const char* dir = std::getenv("CASECRYPT_FIXTURES");
    if (dir == nullptr || *dir == '\0') {
        std::cerr << "CASECRYPT_FIXTURES is not set (ctest sets it)\n";
        std::abort();
    }
    return dir;
}

TempDir::TempDir() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "casecrypt-test-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) {
        throw std::runtime_error("mkdtemp failed");
    }
    m_path = pattern;
}

TempDir::~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(m_path, ec);
}

namespace {

// A command may stop reading its standard input early (a bounded reader refusing more): the
// write then fails with EPIPE instead of killing the test with SIGPIPE. The signal is blocked
// only around the write (not ignored: children spawned later keep the default).
ssize_t write_without_sigpipe(int fd, const char* data, std::size_t size) {
    sigset_t pipe_only, old;
    sigemptyset(&pipe_only);
    sigaddset(&pipe_only, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_only, &old);
    const ssize_t w = ::write(fd, data, size);
    if (w < 0 && errno == EPIPE) {
        const timespec now{};
        sigtimedwait(&pipe_only, nullptr, &now);  // consume the pending SIGPIPE
    }
    pthread_sigmask(SIG_SETMASK, &old, nullptr);
    return w;
}

}  // namespace

CliResult run_cli(const std::vector<std::string>& args, const std::string& stdin_data,
                  const std::map<std::string, std::string>& env) {
    int in_pipe[2], out_pipe[2], err_pipe[2];
    if (::pipe2(in_pipe, O_CLOEXEC) != 0 || ::pipe2(out_pipe, O_CLOEXEC) != 0 ||
        ::pipe2(err_pipe, O_CLOEXEC) != 0) {
        throw std::runtime_error("pipe failed");
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, in_pipe[0], 0);
    posix_spawn_file_actions_adddup2(&actions, out_pipe[1], 1);
    posix_spawn_file_actions_adddup2(&actions, err_pipe[1], 2);

    std::vector<std::string> argv_storage = {casecrypt_binary()};
    argv_storage.insert(argv_storage.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : argv_storage) {
        argv.push_back(a.data());
    }
    argv.push_back(nullptr);

    std::map<std::string, std::string> merged;
    for (char** e = environ; *e != nullptr; ++e) {
        const std::string entry = *e;
        const auto eq = entry.find('=');
        if (eq != std::string::npos) {
            merged[entry.substr(0, eq)] = entry.substr(eq + 1);
        }
    }
    for (const auto& [k, v] : env) {
        merged[k] = v;
    }
    std::vector<std::string> env_storage;
    for (const auto& [k, v] : merged) {
        env_storage.push_back(k + "=" + v);
    }
    std::vector<char*> envp;
    for (auto& e : env_storage) {
        envp.push_back(e.data());
    }
    envp.push_back(nullptr);

    pid_t pid = 0;
    const int spawned = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    ::close(in_pipe[0]);
    ::close(out_pipe[1]);
    ::close(err_pipe[1]);
    if (spawned != 0) {
        throw std::runtime_error(std::string("posix_spawn failed: ") + std::strerror(spawned));
    }

    CliResult result;
    std::size_t written = 0;
    int in_fd = in_pipe[1];
    if (stdin_data.empty()) {
        ::close(in_fd);
        in_fd = -1;
    }
    bool out_open = true, err_open = true;
    while (out_open || err_open || in_fd >= 0) {
        pollfd fds[3];
        int n = 0;
        if (out_open)
            fds[n++] = {out_pipe[0], POLLIN, 0};
        if (err_open)
            fds[n++] = {err_pipe[0], POLLIN, 0};
        if (in_fd >= 0)
            fds[n++] = {in_fd, POLLOUT, 0};
        if (::poll(fds, static_cast<nfds_t>(n), -1) < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        for (int i = 0; i < n; ++i) {
            if (fds[i].revents == 0)
                continue;
            if (fds[i].fd == in_fd) {
                const ssize_t w = write_without_sigpipe(in_fd, stdin_data.data() + written,
                                                        stdin_data.size() - written);
                if (w > 0)
                    written += static_cast<std::size_t>(w);
                if (w < 0 || written == stdin_data.size()) {
                    ::close(in_fd);
                    in_fd = -1;
                }
                continue;
            }
            char buffer[65536];
            const ssize_t r = ::read(fds[i].fd, buffer, sizeof buffer);
            std::string& target = fds[i].fd == out_pipe[0] ? result.out : result.err;
            if (r > 0) {
                target.append(buffer, static_cast<std::size_t>(r));
            } else {
                (fds[i].fd == out_pipe[0] ? out_open : err_open) = false;
            }
        }
    }
    ::close(out_pipe[0]);
    ::close(err_pipe[0]);
    int status = 0;
    ::waitpid(pid, &status, 0);
    if (WIFSIGNALED(status)) {
        result.signaled = true;
        result.signal = WTERMSIG(status);
    } else {
        result.exit_code = WEXITSTATUS(status);
    }
    return result;
}

std::string env_or_empty(const char* name) {
    const char* value = std::getenv(name);
    return value != nullptr ? value : "";
}

std::string harness_state(const char* env_name, const std::string& file) {
    std::ifstream in(std::filesystem::path(env_or_empty(env_name)) / file);
    std::string value;
    std::getline(in, value);
    return value;
}

std::string headers_of(const std::string& mail) {
    auto end = mail.find("\n\n");
    if (end == std::string::npos)
        end = mail.find("\r\n\r\n");
    std::string head = mail.substr(0, end);
    std::erase(head, '\r');
    for (auto at = head.find("\n "); at != std::string::npos; at = head.find("\n ", at))
        head.replace(at, 2, " ");
    for (auto at = head.find("\n\t"); at != std::string::npos; at = head.find("\n\t", at))
        head.replace(at, 2, " ");
    return "\n" + head + "\n";
}

int stop_process(int& pid) {
    if (pid <= 0)
        return -1;
    ::kill(pid, SIGTERM);
    int status = 0;
    ::waitpid(pid, &status, 0);
    pid = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

}  // namespace casecrypt::test
