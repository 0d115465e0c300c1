// Helpdesk: one data directory with its `local` mailbox, driven through the real binary, for the
// CLI tests of the incoming side (drop a mail, fetch, read tickets and backups as JSON).
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "support/run_cli.h"

namespace casecrypt::test {

inline std::string slurp(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

inline std::string fx(const std::string& p) {
    return (fixtures_dir() / p).string();
}

// One data directory and its `local` mailbox.
class Helpdesk {
public:
    Helpdesk() : m_data((m_dir.path() / "data").string()) {}

    CliResult run(std::vector<std::string> args, const std::string& in = {}) const {
        args.insert(args.begin(), {"--data-dir", m_data});
        return run_cli(args, in);
    }
    nlohmann::json json(std::vector<std::string> args) const {
        const auto r = run(std::move(args));
        EXPECT_EQ(r.exit_code, 0) << r.err;
        return nlohmann::json::parse(r.out, nullptr, false);
    }
    std::filesystem::path incoming() const {
        return std::filesystem::path(m_data) / "mail" / "incoming";
    }
    // Drops a mail where the `local` account reads (a temp name, then the .eml name).
    void drop(const std::string& name, const std::string& bytes) const {
        std::filesystem::create_directories(incoming());
        const auto tmp = incoming() / ("." + name + ".tmp");
        std::ofstream(tmp, std::ios::binary) << bytes;
        std::filesystem::rename(tmp, incoming() / (name + ".eml"));
    }
    CliResult fetch() const { return run({"mail", "fetch"}); }
    void import_server(const std::string& p12, const std::string& pass) const {
        std::vector<std::string> args = {"cert", "import-server", fx(p12)};
        if (pass != "-")
            args.insert(args.end(), {"--password-file", fx(pass)});
        const auto r = run(args);
        ASSERT_EQ(r.exit_code, 0) << r.err;
    }
    const std::string& data() const { return m_data; }

private:
    TempDir m_dir;
    std::string m_data;
};

inline std::string plain_mail(const std::string& subject, const std::string& message_id,
                              const std::string& extra_headers = "",
                              const std::string& body = "Hello\n") {
    return "From: Carl Customer <carl@customer.test>\nTo: support@example.test\nSubject: " +
           subject + "\nMessage-ID: <" + message_id + ">\nDate: Sat, 28 Nov 2026 08:00:00 +0000\n" +
           extra_headers + "MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n\n" + body;
}

}  // namespace casecrypt::test
