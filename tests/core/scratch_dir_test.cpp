// ScratchDir: work files are 0600 in a 0700 directory whatever the umask, anonymous files have
// no name, and leftovers of a dead process are removed while a live directory is kept.
#include "core/scratch_dir.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>

#include "support/run_cli.h"

namespace casecrypt {
namespace {

using test::TempDir;

mode_t mode_of(const std::filesystem::path& path) {
    struct stat st {};
    EXPECT_EQ(::lstat(path.c_str(), &st), 0) << path;
    return st.st_mode & 07777;
}

// A pid that was a process a moment ago and is none now.
pid_t dead_pid() {
    const pid_t child = ::fork();
    if (child == 0)
        ::_exit(0);
    ::waitpid(child, nullptr, 0);
    return child;
}

TEST(ScratchDir, WorkFilesAre0600WhateverTheUmaskAndTheDirectory0700) {
    TempDir parent;
    const mode_t old_umask = ::umask(0);
    auto scratch = ScratchDir::create(parent.path());
    ASSERT_TRUE(scratch) << scratch.error().message();
    const auto entity = scratch->file("entity");
    // Whatever writes it next by name (std::ofstream's default would be 0666 & ~umask).
    std::ofstream(entity, std::ios::trunc) << "decrypted plaintext";
    ::umask(old_umask);
    EXPECT_EQ(mode_of(scratch->path()), 0700u);
    EXPECT_EQ(mode_of(entity), 0600u);
    EXPECT_EQ(
        scratch->path().filename().string().rfind("work-" + std::to_string(::getpid()) + "-", 0),
        0u)
        << scratch->path();
}

TEST(ScratchDir, AnonymousFilesLeaveNoNameInTheDirectory) {
    TempDir parent;
    auto scratch = ScratchDir::create(parent.path());
    ASSERT_TRUE(scratch);
    auto file = scratch->anonymous("body");
    ASSERT_TRUE(file) << file.error().message();
    std::ofstream(file->path(), std::ios::binary | std::ios::trunc) << "plaintext";
    std::ifstream in(file->path(), std::ios::binary);
    std::string back((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_EQ(back, "plaintext");
    EXPECT_TRUE(std::filesystem::is_empty(scratch->path())) << "nothing with a name on disk";
}

TEST(ScratchDir, LeftoversOfDeadProcessesAreRemovedLiveDirectoriesKept) {
    TempDir parent;
    // A leftover of a killed process: its pid is gone, nobody holds its lock.
    const auto stale = parent.path() / ("work-" + std::to_string(dead_pid()) + "-AbCdEf");
    std::filesystem::create_directory(stale);
    std::ofstream(stale / "entity-1") << "plaintext of a killed run";
    // The older form without a pid, untouched for an hour.
    const auto old_form = parent.path() / "work-Qx12Zz";
    std::filesystem::create_directory(old_form);
    std::ofstream(old_form / "body-2") << "plaintext";
    const auto an_hour_ago = std::filesystem::file_time_type::clock::now() - std::chrono::hours(1);
    std::filesystem::last_write_time(old_form, an_hour_ago);
    // Live: a concurrent process's ScratchDir (here ours), and a fresh old-form directory.
    auto live = ScratchDir::create(parent.path());
    ASSERT_TRUE(live);
    const auto fresh_old_form = parent.path() / "work-Fresh1";
    std::filesystem::create_directory(fresh_old_form);
    // Not ours at all.
    std::filesystem::create_directory(parent.path() / "attachments");

    EXPECT_EQ(ScratchDir::remove_stale(parent.path()), 2);
    EXPECT_FALSE(std::filesystem::exists(stale));
    EXPECT_FALSE(std::filesystem::exists(old_form));
    EXPECT_TRUE(std::filesystem::exists(live->path()));
    EXPECT_TRUE(std::filesystem::exists(fresh_old_form));
    EXPECT_TRUE(std::filesystem::exists(parent.path() / "attachments"));
}

TEST(ScratchDir, ADirectoryWhoseLockIsHeldIsKeptEvenIfItsPidLooksDead) {
    TempDir parent;
    const auto dir = parent.path() / ("work-" + std::to_string(dead_pid()) + "-LoCkEd");
    std::filesystem::create_directory(dir);
    const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(::flock(fd, LOCK_EX), 0);  // another process's live ScratchDir (pid namespaces)
    EXPECT_EQ(ScratchDir::remove_stale(parent.path()), 0);
    EXPECT_TRUE(std::filesystem::exists(dir));
    ::close(fd);
}

}  // namespace
}  // namespace casecrypt
