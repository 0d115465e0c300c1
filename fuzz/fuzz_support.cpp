#include "fuzz_support.h"

#include <stdlib.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <system_error>

namespace casecrypt::fuzz {
namespace {

std::filesystem::path g_work_root;
volatile std::size_t g_sink = 0;

void remove_work_root() {
    std::error_code ec;
    if (!g_work_root.empty())
        std::filesystem::remove_all(g_work_root, ec);
}

std::filesystem::path default_parent() {
    if (const char* env = std::getenv("CASECRYPT_FUZZ_WORK"); env != nullptr && *env != '\0') {
        return env;
    }
    std::error_code ec;
    if (std::filesystem::is_directory("/dev/shm", ec) && ::access("/dev/shm", W_OK) == 0) {
        return "/dev/shm";
    }
    return std::filesystem::temp_directory_path();
}

}  // namespace

void die(const std::string& why) {
    std::fprintf(stderr, "fuzz: %s\n", why.c_str());
    std::fflush(stderr);
    std::abort();
}

void make_work_root(const std::string& name) {
    const std::filesystem::path parent = default_parent();
    std::error_code ec;
    std::filesystem::create_directories(parent, ec);
    std::string pattern = (parent / (name + "-XXXXXX")).string();
    if (::mkdtemp(pattern.data()) == nullptr) {
        die("cannot create a work directory in " + parent.string() + ": " + std::strerror(errno));
    }
    g_work_root = pattern;
    std::atexit(remove_work_root);
}

const std::filesystem::path& work_root() {
    return g_work_root;
}

void keep(std::size_t value) {
    g_sink = g_sink + value;
}

}  // namespace casecrypt::fuzz
