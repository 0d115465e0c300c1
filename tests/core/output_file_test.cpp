// OutputFile (and write_file_atomic, which writes through it): a regular file is replaced only
// on commit, through a unique temporary name; a device or fifo is written into and never
// replaced or unlinked. The device nodes are made here with mknod (the tests run as root in
// CI); without the privilege those tests skip rather than touch the real /dev/null.
#include "core/output_file.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <thread>

#include "core/file_io.h"
#include "support/run_cli.h"

namespace casecrypt {
namespace {

using test::TempDir;

std::string slurp(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

mode_t mode_of(const std::filesystem::path& path) {
    struct stat st {};
    EXPECT_EQ(::lstat(path.c_str(), &st), 0) << path;
    return st.st_mode;
}

int entries(const std::filesystem::path& dir) {
    int n = 0;
    for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir))
        ++n;
    return n;
}

// A character device node like /dev/null (1,3) or /dev/full (1,7), or skip.
#define MAKE_DEVICE(path, minor)                                               \
    if (::mknod((path).c_str(), S_IFCHR | 0666, ::makedev(1, (minor))) != 0) { \
        GTEST_SKIP() << "cannot mknod (not root?): " << std::strerror(errno);  \
    }

TEST(OutputFile, WriteFileAtomicToADeviceNodeDoesNotReplaceIt) {
    TempDir dir;
    const auto null = dir.path() / "null";
    MAKE_DEVICE(null, 3);
    ASSERT_TRUE(write_file_atomic(null, "bytes", OutputFile::kPrivate));
    EXPECT_TRUE(S_ISCHR(mode_of(null))) << "the device node is still a device node";
    EXPECT_EQ(entries(dir.path()), 1) << "no temporary file left beside it";
}

TEST(OutputFile, AFailingWriteToADeviceNeitherUnlinksNorReplacesIt) {
    TempDir dir;
    const auto full = dir.path() / "full";
    MAKE_DEVICE(full, 7);
    {
        auto out = OutputFile::open(full);
        ASSERT_TRUE(out) << out.error().message();
        EXPECT_TRUE(out->is_stream());
        EXPECT_FALSE(out->temp_path());
        const auto written = out->write(std::string(100000, 'x'));
        ASSERT_FALSE(written);
        EXPECT_NE(written.error().message().find("No space left"), std::string::npos)
            << written.error().message();
    }
    EXPECT_TRUE(S_ISCHR(mode_of(full)));
    EXPECT_FALSE(write_file_atomic(full, "x", OutputFile::kPrivate));
    EXPECT_TRUE(S_ISCHR(mode_of(full)));
}

TEST(OutputFile, AFifoIsStreamedIntoAndStaysAFifo) {
    TempDir dir;
    const auto fifo = dir.path() / "fifo";
    ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
    std::string received;
    std::thread reader([&] { received = slurp(fifo); });
    ASSERT_TRUE(write_file_atomic(fifo, "through the pipe", OutputFile::kPrivate));
    reader.join();
    EXPECT_EQ(received, "through the pipe");
    EXPECT_TRUE(S_ISFIFO(mode_of(fifo)));
}

TEST(OutputFile, AnUncommittedOutputLeavesTheExistingFileUntouched) {
    TempDir dir;
    const auto keep = dir.path() / "keep.txt";
    std::ofstream(keep) << "precious";
    {
        auto out = OutputFile::open(keep);
        ASSERT_TRUE(out);
        ASSERT_TRUE(out->temp_path());
        ASSERT_TRUE(out->write("half a result"));
        EXPECT_EQ(entries(dir.path()), 2) << "the temporary file sits beside the target";
    }
    EXPECT_EQ(slurp(keep), "precious");
    EXPECT_EQ(entries(dir.path()), 1) << "the temporary file is gone, nothing else";
}

TEST(OutputFile, CommitReplacesARegularFileKeepingItsModeAndANewOneIs0600) {
    TempDir dir;
    const auto existing = dir.path() / "existing";
    std::ofstream(existing) << "old";
    ::chmod(existing.c_str(), 0640);
    ASSERT_TRUE(write_file_atomic(existing, "new", OutputFile::kPrivate));
    EXPECT_EQ(slurp(existing), "new");
    EXPECT_EQ(mode_of(existing) & 07777, 0640u);

    const mode_t old_umask = ::umask(0);  // the mode must not come from the umask
    const auto fresh = dir.path() / "fresh";
    ASSERT_TRUE(write_file_atomic(fresh, "data", OutputFile::kPrivate));
    ::umask(old_umask);
    EXPECT_EQ(mode_of(fresh) & 07777, 0600u);
    EXPECT_EQ(entries(dir.path()), 2);
}

TEST(OutputFile, TemporaryNamesAreUniqueNotPathTmpPid) {
    TempDir dir;
    const auto target = dir.path() / "t";
    // The old predictable name: a symlink planted there must not be followed or used.
    const auto planted = dir.path() / ("t.tmp." + std::to_string(::getpid()));
    std::filesystem::create_symlink("/nonexistent/elsewhere", planted);
    auto a = OutputFile::open(target);
    auto b = OutputFile::open(target);
    ASSERT_TRUE(a && b);
    EXPECT_NE(*a->temp_path(), *b->temp_path());
    EXPECT_EQ(a->temp_path()->filename().string().rfind(".t.", 0), 0u) << *a->temp_path();
    ASSERT_TRUE(a->write("a"));
    ASSERT_TRUE(a->commit());
    EXPECT_EQ(slurp(target), "a");
    EXPECT_TRUE(std::filesystem::is_symlink(planted));
}

TEST(OutputFile, ASymlinkToAFileIsFollowedAndKept) {
    TempDir dir;
    const auto real = dir.path() / "real";
    const auto link = dir.path() / "link";
    std::ofstream(real) << "old";
    std::filesystem::create_symlink(real, link);
    ASSERT_TRUE(write_file_atomic(link, "new", OutputFile::kPrivate));
    EXPECT_TRUE(std::filesystem::is_symlink(link));
    EXPECT_EQ(slurp(real), "new");
}

TEST(OutputFile, ADirectoryAndADanglingSymlinkAreRefused) {
    TempDir dir;
    const auto dangling = dir.path() / "dangling";
    std::filesystem::create_symlink(dir.path() / "nothing", dangling);
    EXPECT_FALSE(OutputFile::open(dir.path()));
    const auto refused = OutputFile::open(dangling);
    ASSERT_FALSE(refused);
    EXPECT_NE(refused.error().message().find("symbolic link"), std::string::npos);
    EXPECT_FALSE(std::filesystem::exists(dir.path() / "nothing"));
}

}  // namespace
}  // namespace casecrypt
