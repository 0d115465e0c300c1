#include "support/openssl_cli.h"

#include <gtest/gtest.h>

#include <cstdio>

namespace casecrypt::test {

std::string quote(const std::string& argument) {
    std::string out = "'";
    for (char c : argument) {
        out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    }
    return out + "'";
}

std::string shell(const std::string& command) {
    FILE* pipe = ::popen(command.c_str(), "r");
    if (pipe == nullptr) {
        ADD_FAILURE() << "cannot run: " << command;
        return {};
    }
    std::string out;
    char buffer[4096];
    std::size_t n = 0;
    while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) {
        out.append(buffer, n);
    }
    const int status = ::pclose(pipe);
    if (status != 0) {
        ADD_FAILURE() << "command failed (" << status << "): " << command;
    }
    return out;
}

std::string cipher_name_from_openssl(const std::string& short_name) {
    std::string name;
    for (char c : short_name) {
        name += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    }
    // OpenSSL's short names of the GCM modes are "id-aes128-GCM" ... "id-aes256-GCM".
    if (name.starts_with("id-aes") && name.ends_with("-gcm") && name.size() == 13) {
        name = "aes-" + name.substr(6, 3) + "-gcm";
    }
    return name;
}

}  // namespace casecrypt::test
