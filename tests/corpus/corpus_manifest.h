// What the corpus tests (corpus_import_test, corpus_messages_test) share: where the external
// interoperability corpus is ($CASECRYPT_CORPUS, see its MANIFEST.md), its per-file manifest
// (MANIFEST-files.tsv), the environment the real binary runs in, and a small parallel runner.
// The corpus is read where it lies and never copied into the project.
// manifest() is read once and then only read; the rest keeps no state. Thread-safe.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace casecrypt::test {

// One row of MANIFEST-files.tsv.
struct Row {
    std::string path;  // relative to the corpus folder
    std::string source;
    std::string commit;
    std::string license;
    std::string what;      // what the file is
    std::string expected;  // the expected result
    std::string openssl;   // what the OpenSSL 3.0.19 CLI said
};

// $CASECRYPT_CORPUS when it is a folder holding MANIFEST-files.tsv.
std::optional<std::filesystem::path> corpus_dir();
// $CASECRYPT_CORPUS as given, for messages.
std::string corpus_dir_for_message();

// CMake's SKIP_REGULAR_EXPRESSION for the corpus tests matches "corpus not found at ".
#define SKIP_WITHOUT_CORPUS()                                                                     \
    do {                                                                                          \
        if (!::casecrypt::test::corpus_dir()) {                                                   \
            GTEST_SKIP() << "corpus not found at " << ::casecrypt::test::corpus_dir_for_message() \
                         << "; set CASECRYPT_CORPUS to the interop corpus folder (the one "       \
                            "holding MANIFEST-files.tsv)";                                        \
        }                                                                                         \
    } while (false)

// Every row, in file order; empty without the corpus.
const std::vector<Row>& manifest();
const Row* find_row(const std::string& path);

bool contains(std::string_view haystack, std::string_view needle);
bool starts_with(std::string_view s, std::string_view prefix);
bool ends_with(std::string_view s, std::string_view suffix);
std::string lower(std::string s);

// The whole file (binary), or nothing when it cannot be read.
std::optional<std::string> read_bytes(const std::filesystem::path& file);
void write_file(const std::filesystem::path& path, const std::string& content);

// The environment for the CLI: sanitizer options that make a report fail the run (exit 86/87),
// and no master key or data dir inherited from the caller.
std::map<std::string, std::string> cli_environment();

// $CASECRYPT_CORPUS_JOBS, default the number of cores clamped to 2..8.
unsigned corpus_jobs();
// $CASECRYPT_CORPUS_VERBOSE=1: one line per file.
bool corpus_verbose();

// Calls work(i) for every i in [0, count) on corpus_jobs() threads. `work` must not use
// gtest assertions (they belong on the test thread) and must not throw.
template <typename Work>
void run_parallel(std::size_t count, Work&& work) {
    std::atomic<std::size_t> next{0};
    std::vector<std::thread> threads;
    const std::size_t n = std::min<std::size_t>(corpus_jobs(), count);
    for (std::size_t t = 0; t < n; ++t) {
        threads.emplace_back([&] {
            for (std::size_t i; (i = next.fetch_add(1)) < count;) {
                work(i);
            }
        });
    }
    for (auto& t : threads) {
        t.join();
    }
}

}  // namespace casecrypt::test
