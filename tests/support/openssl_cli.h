// Asks the openssl command-line tool (a third-party implementation) for the expected answer, so
// a test never checks our code against itself. Runs a shell command, returns its stdout.
#pragma once

#include <string>

namespace casecrypt::test {

// Runs `sh -c command`; returns stdout. Fails the current test (ADD_FAILURE) on a non-zero exit.
std::string shell(const std::string& command);

// Quotes one argument for sh.
std::string quote(const std::string& argument);

// The name casecrypt writes for a content cipher (that of `mail encrypt --cipher`, OpenSSL's
// long name) for the short name `openssl cms -print` tables hold: "AES-256-CBC" ->
// "aes-256-cbc", "id-aes256-GCM" -> "aes-256-gcm", "DES-EDE3-CBC" -> "des-ede3-cbc".
std::string cipher_name_from_openssl(const std::string& short_name);

}  // namespace casecrypt::test
