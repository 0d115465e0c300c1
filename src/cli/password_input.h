// Reading a PKCS #12 password the way every command takes it: --password-file F (one trailing
// newline, LF or CRLF, is not part of the password), --password-stdin, or none (empty).
#pragma once

#include <string>

#include "core/error.h"
#include "core/secret.h"

namespace casecrypt::cli {

Result<Secret> read_password(const std::string& password_file, bool from_stdin);

}  // namespace casecrypt::cli
