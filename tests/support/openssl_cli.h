// Asks the openssl command-line tool (a third-party implementation) for the expected answer, so
// a test never checks our code against itself. Runs a shell command, returns its stdout.
#pragma once

#include <string>

namespace casecrypt::test {

// Runs `sh -c command`; returns stdout. Fails the current test (ADD_FAILURE) on a non-zero exit.
std::string shell(const std::string& command);

// Quotes one argument for sh.
std::string quote(const std::string& argument);

}  // namespace casecrypt::test
