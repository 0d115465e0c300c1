#include "cli/password_input.h"

#include <iostream>
#include <iterator>

#include "core/file_io.h"

namespace casecrypt::cli {

Result<Secret> read_password(const std::string& password_file, bool from_stdin) {
    std::string text;
    if (from_stdin) {
        text.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
    } else if (!password_file.empty()) {
        auto read = read_file(password_file, 64 * 1024);
        if (!read) {
            return std::unexpected(Error(Errc::rejected, read.error().message()));
        }
        text = std::move(*read);
    }
    if (!text.empty() && text.back() == '\n') {
        text.pop_back();
        if (!text.empty() && text.back() == '\r') text.pop_back();
    }
    Secret secret(std::move(text));
    return secret;
}

}  // namespace casecrypt::cli
