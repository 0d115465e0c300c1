#include "cli/password_input.h"

#include <iostream>

#include "core/file_io.h"

namespace casecrypt::cli {

Result<Secret> read_secret_input(const std::string& file, bool from_stdin) {
    Result<std::string> read = std::string();
    if (from_stdin) {
        read = read_stream(std::cin, "standard input", kMaxSecretInput);
    } else if (!file.empty()) {
        read = read_file(file, kMaxSecretInput);
    }
    if (!read) {
        return std::unexpected(Error(Errc::rejected, read.error().message()));
    }
    std::string text = std::move(*read);
    if (!text.empty() && text.back() == '\n') {
        text.pop_back();
        if (!text.empty() && text.back() == '\r')
            text.pop_back();
    }
    Secret secret(std::move(text));
    return secret;
}

}  // namespace casecrypt::cli
