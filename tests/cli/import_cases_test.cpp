// Every accept and reject case of tests/data/make-fixtures.sh (its cases.tsv), run through the
// real binary on an empty store: the exit code, the message, and what the store holds after.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "support/run_cli.h"

namespace casecrypt::test {
namespace {

struct ImportCase {
    std::string file;
    std::string command;
    std::string password_file;
    int exit_code = 0;
    std::string message;
    int imported = 0;
    std::set<std::string> addresses;
    std::string description;
};

std::vector<std::string> split(const std::string& line, char separator) {
    std::vector<std::string> parts;
    std::stringstream stream(line);
    std::string part;
    while (std::getline(stream, part, separator)) {
        parts.push_back(part);
    }
    return parts;
}

std::vector<ImportCase> load_cases() {
    std::vector<ImportCase> cases;
    std::ifstream in(fixtures_dir() / "cases.tsv");
    std::string line;
    std::getline(in, line);  // header
    while (std::getline(in, line)) {
        const auto f = split(line, '\t');
        if (f.size() < 8) {
            continue;
        }
        ImportCase c{f[0], f[1], f[2], std::stoi(f[3]), f[4], std::stoi(f[5]), {}, f[7]};
        if (f[6] != "-") {
            for (const auto& a : split(f[6], ',')) {
                c.addresses.insert(a);
            }
        }
        cases.push_back(c);
    }
    return cases;
}

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
    return s;
}

class ImportCases : public ::testing::TestWithParam<ImportCase> {};

TEST_P(ImportCases, ExitCodeMessageAndStoreAreAsTheCaseSays) {
    const ImportCase& c = GetParam();
    SCOPED_TRACE(c.command + " " + c.file + ": " + c.description);
    TempDir dir;
    const std::string data = (dir.path() / "data").string();
    std::vector<std::string> args = {"--data-dir", data, "cert",
                                     c.command == "server" ? "import-server" : "import-client",
                                     (fixtures_dir() / c.file).string()};
    if (c.password_file != "-") {
        args.push_back("--password-file");
        args.push_back((fixtures_dir() / c.password_file).string());
    }
    const CliResult result = run_cli(args);
    ASSERT_FALSE(result.signaled) << "killed by signal " << result.signal << "\n" << result.err;
    EXPECT_EQ(result.exit_code, c.exit_code) << result.out << result.err;
    const std::string haystack = lower(c.exit_code == 0 ? result.out + result.err : result.err);
    EXPECT_NE(haystack.find(lower(c.message)), std::string::npos)
        << "expected \"" << c.message << "\" in: " << result.out << result.err;
    if (c.exit_code != 0) {
        EXPECT_TRUE(result.err.starts_with("error: ")) << result.err;
        EXPECT_EQ(result.err.find('\n'), result.err.size() - 1) << "one sentence, one line";
    }

    const CliResult list = run_cli({"--data-dir", data, "cert", "list", "--json"});
    ASSERT_EQ(list.exit_code, 0) << list.err;
    const auto certificates = nlohmann::json::parse(list.out);
    EXPECT_EQ(static_cast<int>(certificates.size()), c.imported) << list.out;
    std::set<std::string> addresses;
    for (const auto& certificate : certificates) {
        EXPECT_EQ(certificate["kind"], c.command == "server" ? "server" : "client");
        EXPECT_EQ(certificate["source"], "file");
        for (const auto& a : certificate["addresses"]) {
            addresses.insert(a.get<std::string>());
        }
    }
    if (c.exit_code == 0) {
        EXPECT_EQ(addresses, c.addresses);
    }
}

std::string case_name(const ::testing::TestParamInfo<ImportCase>& info) {
    std::string name =
        std::to_string(info.index) + "_" + info.param.command + "_" + info.param.file;
    for (char& ch : name) {
        if (!std::isalnum(static_cast<unsigned char>(ch))) {
            ch = '_';
        }
    }
    return name;
}

INSTANTIATE_TEST_SUITE_P(Fixtures, ImportCases, ::testing::ValuesIn(load_cases()), case_name);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(ImportCases);

TEST(ImportCasesTable, IsThereAndCoversBothCommandsAndOutcomes) {
    const auto cases = load_cases();
    ASSERT_GE(cases.size(), 40u) << "cases.tsv missing or short in " << fixtures_dir();
    std::set<std::string> kinds;
    for (const auto& c : cases) {
        kinds.insert(c.command + std::to_string(c.exit_code));
    }
    // Exit 1: a file that is not there (an I/O error since issue 10; it was 3).
    EXPECT_EQ(kinds, (std::set<std::string>{"client0", "client1", "client3", "server0", "server1",
                                            "server3"}));
}

}  // namespace
}  // namespace casecrypt::test
