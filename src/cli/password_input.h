// Reading a secret the way every command takes it, off the command line (where `ps` and the
// shell history would show it): from a file (--password-file F, --value-file F) or from
// standard input (--password-stdin, --value-stdin). One trailing newline, LF or CRLF, is not
// part of the value. At most kMaxSecretInput bytes: more is Errc::rejected (exit 3), and
// standard input is not read beyond it (`</dev/zero` ends at once).
#pragma once

#include <cstddef>
#include <string>

#include "core/error.h"
#include "core/secret.h"

namespace casecrypt::cli {

inline constexpr std::size_t kMaxSecretInput = 64 * 1024;

// The whole of `file`, or of standard input when from_stdin; empty when neither is given.
Result<Secret> read_secret_input(const std::string& file, bool from_stdin);

// A PKCS #12 or account password: read_secret_input.
inline Result<Secret> read_password(const std::string& password_file, bool from_stdin) {
    return read_secret_input(password_file, from_stdin);
}

}  // namespace casecrypt::cli
