// Runs the real `casecrypt` binary for end-to-end tests: arguments, stdin, extra environment;
// captures stdout, stderr and how the process ended (exit code, or the signal that killed it,
// which a test treats as a crash). The binary's path comes from $CASECRYPT_BIN.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace casecrypt::test {

struct CliResult {
    int exit_code = -1;  // valid when !signaled
    bool signaled = false;
    int signal = 0;
    std::string out;
    std::string err;
};

CliResult run_cli(const std::vector<std::string>& args, const std::string& stdin_data = {},
                  const std::map<std::string, std::string>& env = {});

// $CASECRYPT_BIN, or fails the test binary with a message when unset.
std::string casecrypt_binary();

// A fresh temporary directory removed when the object goes away.
class TempDir {
public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::filesystem::path& path() const { return m_path; }

private:
    std::filesystem::path m_path;
};

// $NAME, or "" when it is unset.
std::string env_or_empty(const char* name);

// The first line of a file a harness script (tests/harness/*.sh) wrote into the directory
// $ENV_NAME names: a port, a path, a password. "" when it is not there.
std::string harness_state(const char* env_name, const std::string& file);

// Where the fixtures of tests/data/make-fixtures.sh were generated ($CASECRYPT_FIXTURES).
std::filesystem::path fixtures_dir();

// The header block of a mail, folded lines unfolded (RFC 5322 section 2.2.3), CRs dropped,
// between newlines: "\nName: value\n" finds a field.
std::string headers_of(const std::string& mail);

// Ends a child process with SIGTERM and waits for it; its exit code, or 128 + the signal that
// ended it; -1 when `pid` is not positive. Sets `pid` to -1.
int stop_process(int& pid);

}  // namespace casecrypt::test
