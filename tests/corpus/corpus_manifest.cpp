#include "corpus/corpus_manifest.h"

#include <cctype>
#include <cstdlib>
#include <fstream>
#include <iterator>

namespace casecrypt::test {

namespace fs = std::filesystem;

std::optional<fs::path> corpus_dir() {
    const char* dir = std::getenv("CASECRYPT_CORPUS");
    if (dir == nullptr || *dir == '\0' || !fs::is_directory(dir) ||
        !fs::is_regular_file(fs::path(dir) / "MANIFEST-files.tsv")) {
        return std::nullopt;
    }
    return fs::path(dir);
}

std::string corpus_dir_for_message() {
    const char* dir = std::getenv("CASECRYPT_CORPUS");
    return dir == nullptr || *dir == '\0' ? std::string("(CASECRYPT_CORPUS is unset)")
                                          : std::string(dir);
}

namespace {

std::vector<std::string> split_tabs(const std::string& line) {
    std::vector<std::string> fields;
    std::size_t start = 0;
    for (;;) {
        const auto tab = line.find('\t', start);
        fields.push_back(line.substr(start, tab == std::string::npos ? tab : tab - start));
        if (tab == std::string::npos) {
            return fields;
        }
        start = tab + 1;
    }
}

}  // namespace

const std::vector<Row>& manifest() {
    static const std::vector<Row> rows = [] {
        std::vector<Row> out;
        const auto dir = corpus_dir();
        if (!dir) {
            return out;
        }
        std::ifstream in(*dir / "MANIFEST-files.tsv");
        std::string line;
        bool header = true;
        while (std::getline(in, line)) {
            if (!line.empty() && line.back() == '\r') {
                line.pop_back();
            }
            if (header) {
                header = false;
                continue;
            }
            if (line.empty()) {
                continue;
            }
            auto f = split_tabs(line);
            f.resize(7);
            out.push_back(Row{f[0], f[1], f[2], f[3], f[4], f[5], f[6]});
        }
        return out;
    }();
    return rows;
}

const Row* find_row(const std::string& path) {
    for (const Row& row : manifest()) {
        if (row.path == path) {
            return &row;
        }
    }
    return nullptr;
}

bool contains(std::string_view haystack, std::string_view needle) {
    return haystack.find(needle) != std::string_view::npos;
}

bool starts_with(std::string_view s, std::string_view prefix) {
    return s.substr(0, prefix.size()) == prefix;
}

bool ends_with(std::string_view s, std::string_view suffix) {
    return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

std::optional<std::string> read_bytes(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) {
        return std::nullopt;
    }
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void write_file(const fs::path& path, const std::string& content) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << content;
}

std::map<std::string, std::string> cli_environment() {
    // Our options first so that the caller's own ASAN_OPTIONS/UBSAN_OPTIONS win; a master key
    // file from the caller's environment must not be shared by all the fresh data dirs.
    auto merged = [](const char* name, const std::string& ours) {
        const char* theirs = std::getenv(name);
        return theirs == nullptr || *theirs == '\0' ? ours : ours + ":" + theirs;
    };
    return {{"ASAN_OPTIONS", merged("ASAN_OPTIONS", "detect_leaks=1:exitcode=86")},
            {"UBSAN_OPTIONS",
             merged("UBSAN_OPTIONS", "print_stacktrace=1:halt_on_error=1:exitcode=87")},
            {"CASECRYPT_MASTER_KEY_FILE", ""},
            {"CASECRYPT_DATA_DIR", ""}};
}

unsigned corpus_jobs() {
    if (const char* j = std::getenv("CASECRYPT_CORPUS_JOBS"); j != nullptr && *j != '\0') {
        return static_cast<unsigned>(std::clamp(std::atoi(j), 1, 64));
    }
    return std::clamp(std::thread::hardware_concurrency(), 2u, 8u);
}

bool corpus_verbose() {
    const char* v = std::getenv("CASECRYPT_CORPUS_VERBOSE");
    return v != nullptr && *v != '\0' && std::string_view(v) != "0";
}

}  // namespace casecrypt::test
