// Files are never destroyed by --out (issue 9): `mail decrypt|encrypt --out`, `backup download
// --out` and `ticket attachment --out` write a regular file through a temporary file renamed
// into place on success, write straight into a device or fifo and never unlink or replace it,
// and leave an existing file untouched when the command fails. And work directories a killed
// process left behind are removed when the next command starts. Device nodes are made here
// with mknod (never the real /dev/null); without the privilege those tests skip.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "support/run_cli.h"

namespace casecrypt::test {
namespace {

std::string slurp(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

std::string fx(const std::string& p) {
    return (fixtures_dir() / p).string();
}

mode_t mode_of(const std::filesystem::path& path) {
    struct stat st {};
    EXPECT_EQ(::lstat(path.c_str(), &st), 0) << path;
    return st.st_mode;
}

std::vector<std::string> names_in(const std::filesystem::path& dir) {
    std::vector<std::string> names;
    for (const auto& e : std::filesystem::directory_iterator(dir)) {
        names.push_back(e.path().filename().string());
    }
    std::sort(names.begin(), names.end());
    return names;
}

#define MAKE_DEVICE(path, minor)                                               \
    if (::mknod((path).c_str(), S_IFCHR | 0666, ::makedev(1, (minor))) != 0) { \
        GTEST_SKIP() << "cannot mknod (not root?): " << std::strerror(errno);  \
    }

class OutputFiles : public ::testing::Test {
protected:
    std::filesystem::path path(const std::string& name) const { return m_dir.path() / name; }
    CliResult run(std::vector<std::string> args, const std::string& in = {}) const {
        args.insert(args.begin(), {"--data-dir", path("data").string()});
        return run_cli(args, in);
    }
    CliResult decrypt_to(const std::filesystem::path& out) const {
        return run({"mail", "decrypt", "--p12", fx("server/ok-aes256.p12"), "--password-file",
                    fx("server/ok-aes256.pass"), "--in", fx("smime/01-aes256-cbc.eml"), "--out",
                    out.string()});
    }
    std::filesystem::path out_dir() const {
        std::filesystem::create_directories(path("out"));
        return path("out");
    }
    TempDir m_dir;
};

TEST_F(OutputFiles, MailDecryptOutToDevNullDoesNotUnlinkIt) {
    const auto null = out_dir() / "null";
    MAKE_DEVICE(null, 3);
    const auto ok = decrypt_to(null);
    EXPECT_EQ(ok.exit_code, 0) << ok.err;
    EXPECT_TRUE(S_ISCHR(mode_of(null)));
    // A failing run (garbage in) with the device as target: still there, still a device.
    const auto bad = run({"mail", "decrypt", "--out", null.string()}, "garbage\n");
    EXPECT_EQ(bad.exit_code, 3) << bad.err;
    EXPECT_TRUE(S_ISCHR(mode_of(null)));
    EXPECT_EQ(names_in(out_dir()), std::vector<std::string>{"null"}) << "nothing left beside it";
}

TEST_F(OutputFiles, MailEncryptAndDecryptOutToAFullDeviceFailWithoutUnlinkingIt) {
    const auto full = out_dir() / "full";
    MAKE_DEVICE(full, 7);
    const auto dec = decrypt_to(full);
    EXPECT_NE(dec.exit_code, 0);
    EXPECT_NE(dec.err.find("No space left"), std::string::npos) << dec.err;
    EXPECT_TRUE(S_ISCHR(mode_of(full)));
    const auto enc = run({"mail", "encrypt", "--cert", fx("client/ok-rsa2048-dn-email.pem"), "--in",
                          fx("smime/01-aes256-cbc.eml"), "--out", full.string()});
    EXPECT_NE(enc.exit_code, 0) << enc.out;
    EXPECT_TRUE(S_ISCHR(mode_of(full)));
}

TEST_F(OutputFiles, MailDecryptOutToAFifoStreamsIntoItAndKeepsIt) {
    const auto fifo = out_dir() / "fifo";
    ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
    std::string received;
    std::thread reader([&] { received = slurp(fifo); });
    const auto r = decrypt_to(fifo);
    reader.join();
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(received.find("Secret text 01"), std::string::npos) << received;
    EXPECT_TRUE(S_ISFIFO(mode_of(fifo)));
}

TEST_F(OutputFiles, BadInputLeavesExistingOutFileUntouched) {
    const auto keep = out_dir() / "keep.txt";
    std::ofstream(keep) << "precious";
    const auto bad = run({"mail", "decrypt", "--out", keep.string()}, "garbage\n");
    EXPECT_EQ(bad.exit_code, 3) << bad.err;
    EXPECT_EQ(slurp(keep), "precious");
    const auto enc = run({"mail", "encrypt", "--cert", fx("client/ok-rsa2048-dn-email.pem"), "--in",
                          path("missing.eml").string(), "--out", keep.string()});
    EXPECT_NE(enc.exit_code, 0);
    EXPECT_EQ(slurp(keep), "precious");
    EXPECT_EQ(names_in(out_dir()), std::vector<std::string>{"keep.txt"}) << "no temp file left";
}

TEST_F(OutputFiles, MailDecryptReplacesARegularFileOnlyOnSuccessAndANewOneIs0600) {
    const auto existing = out_dir() / "existing.eml";
    std::ofstream(existing) << "old";
    ::chmod(existing.c_str(), 0640);
    const auto r = decrypt_to(existing);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(slurp(existing).find("Secret text 01"), std::string::npos);
    EXPECT_EQ(mode_of(existing) & 07777, 0640u) << "a replaced file keeps its mode";
    const auto fresh = out_dir() / "fresh.eml";
    ASSERT_EQ(decrypt_to(fresh).exit_code, 0);
    EXPECT_EQ(mode_of(fresh) & 07777, 0600u) << "decrypted plaintext: owner only";
    EXPECT_EQ(names_in(out_dir()), (std::vector<std::string>{"existing.eml", "fresh.eml"}));
}

// The local mailbox files a mail it cannot decrypt (no server certificate) as a backup.
TEST_F(OutputFiles, BackupDownloadToDeviceDoesNotReplaceIt) {
    const auto incoming = path("data") / "mail" / "incoming";
    std::filesystem::create_directories(incoming);
    std::filesystem::copy_file(fx("smime/01-aes256-cbc.eml"), incoming / "m.eml");
    ASSERT_EQ(run({"mail", "fetch"}).exit_code, 0);
    const auto backups = nlohmann::json::parse(run({"backup", "list", "--json"}).out);
    ASSERT_EQ(backups.size(), 1u);
    const std::string id = std::to_string(backups[0]["id"].get<long long>());

    const auto null = out_dir() / "null";
    MAKE_DEVICE(null, 3);
    EXPECT_EQ(run({"backup", "download", id, "--out", null.string()}).exit_code, 0);
    EXPECT_TRUE(S_ISCHR(mode_of(null))) << "still a device node, not a regular file";
    const auto full = out_dir() / "full";
    MAKE_DEVICE(full, 7);
    EXPECT_NE(run({"backup", "download", id, "--out", full.string()}).exit_code, 0);
    EXPECT_TRUE(S_ISCHR(mode_of(full)));
    EXPECT_EQ(names_in(out_dir()), (std::vector<std::string>{"full", "null"}));
}

TEST_F(OutputFiles, TicketAttachmentToDeviceDoesNotReplaceIt) {
    const auto incoming = path("data") / "mail" / "incoming";
    std::filesystem::create_directories(incoming);
    std::ofstream(incoming / "m.eml")
        << "From: carl@customer.test\nTo: support@example.test\nSubject: with a file\n"
           "Message-ID: <att-1@customer.test>\nMIME-Version: 1.0\n"
           "Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\nsee "
           "attached\n--b\nContent-Type: application/octet-stream\nContent-Disposition: "
           "attachment; filename=a.bin\nContent-Transfer-Encoding: base64\n\nYXR0YWNoZWQ=\n--b--\n";
    ASSERT_EQ(run({"mail", "fetch"}).exit_code, 0);
    const auto ticket = nlohmann::json::parse(run({"ticket", "show", "1", "--json"}).out);
    const auto& attachments = ticket["messages"][0]["attachments"];
    ASSERT_EQ(attachments.size(), 1u) << ticket.dump();
    const std::string id = std::to_string(attachments[0]["id"].get<long long>());

    const auto null = out_dir() / "null";
    MAKE_DEVICE(null, 3);
    const auto r = run({"ticket", "attachment", id, "--out", null.string()});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_TRUE(S_ISCHR(mode_of(null)));
    const auto copy = out_dir() / "a.bin";
    ASSERT_EQ(run({"ticket", "attachment", id, "--out", copy.string()}).exit_code, 0);
    EXPECT_EQ(slurp(copy), "attached");
}

TEST_F(OutputFiles, WorkFilesAre0600AndLeftoversRemovedAtStart) {
    const auto work = path("data") / "tmp";
    std::filesystem::create_directories(work);
    // What `kill -9` during a decryption leaves: a work directory with plaintext in it.
    const pid_t child = ::fork();
    if (child == 0)
        ::_exit(0);
    ::waitpid(child, nullptr, 0);
    const auto stale = work / ("work-" + std::to_string(child) + "-K1lled");
    std::filesystem::create_directory(stale);
    std::ofstream(stale / "entity-1") << "plaintext of a killed run";
    // A live process's work directory (held locked, as a running ScratchDir does): kept.
    const auto live = work / ("work-" + std::to_string(::getpid()) + "-L1ving");
    std::filesystem::create_directory(live);
    const int fd = ::open(live.c_str(), O_RDONLY | O_DIRECTORY);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(::flock(fd, LOCK_EX), 0);

    const auto r = run({"property", "list"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_FALSE(std::filesystem::exists(stale)) << "the leftover is removed at start";
    EXPECT_TRUE(std::filesystem::exists(live));
    ::close(fd);
    // And a run leaves no work directory of its own behind.
    ASSERT_EQ(decrypt_to(out_dir() / "x.eml").exit_code, 0);
    EXPECT_EQ(names_in(work), std::vector<std::string>{live.filename().string()});
}

}  // namespace
}  // namespace casecrypt::test
