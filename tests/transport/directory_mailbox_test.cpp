// DirectoryMailbox (dir://, through mailbox.h): which files are listed and in what order, exact
// bytes, done() moving into processed/ or deleting, a missing directory, keys that try to leave.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <chrono>
#include <fstream>
#include <sstream>

#include "support/run_cli.h"
#include "transport/mailbox.h"

namespace casecrypt::transport {
namespace {

std::string slurp(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

class DirectoryMailboxTest : public ::testing::Test {
protected:
    std::unique_ptr<Mailbox> open_dir() {
        MailboxSettings s;
        s.url = "dir://" + m_in.string();
        auto mailbox = open_mailbox(s);
        EXPECT_TRUE(mailbox) << mailbox.error().message();
        return mailbox ? std::move(*mailbox) : nullptr;
    }
    void write(const std::string& name, const std::string& bytes, int age_seconds = 0) {
        const auto path = m_in / name;
        std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
        std::filesystem::last_write_time(path, m_now - std::chrono::seconds(age_seconds));
    }

    test::TempDir m_tmp;
    std::filesystem::path m_in = m_tmp.path() / "incoming";
    std::filesystem::path m_out = m_tmp.path() / "out.eml";
    const std::filesystem::file_time_type m_now = std::filesystem::file_time_type::clock::now();
};

TEST_F(DirectoryMailboxTest, ListsOnlyEmlFilesOldestFirst) {
    std::filesystem::create_directories(m_in / "sub.eml");
    write("new.eml", "n", 10);
    write("old.eml", "o", 100);
    write("b-same-age.eml", "b", 50);
    write("a-same-age.eml", "a", 50);
    write(".writing.eml.tmp", "t");
    write(".hidden.eml", "h");
    write("notes.txt", "x");
    write("sub.eml/inner.eml", "i");
    std::filesystem::create_symlink(m_in / "old.eml", m_in / "link.eml");
    auto mailbox = open_dir();
    ASSERT_TRUE(mailbox);
    auto listed = mailbox->list();
    ASSERT_TRUE(listed) << listed.error().message();
    std::vector<std::string> names;
    for (const auto& m : *listed) {
        names.push_back(m.key);
    }
    EXPECT_EQ(names,
              (std::vector<std::string>{"old.eml", "a-same-age.eml", "b-same-age.eml", "new.eml"}));
    EXPECT_EQ((*listed)[0].size, 1u);
}

TEST_F(DirectoryMailboxTest, FetchCopiesTheExactBytes) {
    std::filesystem::create_directories(m_in);
    const std::string bytes =
        std::string("Subject: x\r\nA: b\n\nbody\r\n.\n\0nul\xff\xfe", 31) + "no final newline";
    write("m.eml", bytes);
    auto mailbox = open_dir();
    ASSERT_TRUE(mailbox);
    std::ofstream(m_out) << "an older, longer content that must be truncated away";
    auto fetched = mailbox->fetch({"m.eml", 0}, m_out);
    ASSERT_TRUE(fetched) << fetched.error().message();
    EXPECT_EQ(slurp(m_out), bytes);
    EXPECT_TRUE(std::filesystem::exists(m_in / "m.eml")) << "fetch leaves the file";
}

TEST_F(DirectoryMailboxTest, DoneMovesIntoProcessedOrDeletes) {
    std::filesystem::create_directories(m_in);
    auto mailbox = open_dir();
    ASSERT_TRUE(mailbox);
    write("m.eml", "first");
    ASSERT_TRUE(mailbox->done({"m.eml", 0}, false));
    write("m.eml", "second");  // the same name again: kept beside the first
    ASSERT_TRUE(mailbox->done({"m.eml", 0}, false));
    EXPECT_EQ(slurp(m_in / "processed" / "m.eml"), "first");
    EXPECT_EQ(slurp(m_in / "processed" / "m-1.eml"), "second");
    struct stat st {};
    ASSERT_EQ(::stat((m_in / "processed").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0700u);
    auto listed = mailbox->list();
    ASSERT_TRUE(listed);
    EXPECT_TRUE(listed->empty()) << "processed/ is not listed";

    write("gone.eml", "x");
    ASSERT_TRUE(mailbox->done({"gone.eml", 0}, true));
    EXPECT_FALSE(std::filesystem::exists(m_in / "gone.eml"));
    EXPECT_TRUE(mailbox->done({"gone.eml", 0}, true)) << "gone already is no error";
}

TEST_F(DirectoryMailboxTest, MissingDirectoryIsAnIoErrorAndIsNotCreated) {
    auto mailbox = open_dir();
    ASSERT_TRUE(mailbox);
    auto listed = mailbox->list();
    ASSERT_FALSE(listed);
    EXPECT_EQ(listed.error().code(), Errc::io);
    EXPECT_NE(listed.error().message().find(m_in.string() + " does not exist"), std::string::npos)
        << listed.error().message();
    EXPECT_FALSE(std::filesystem::exists(m_in));
}

TEST_F(DirectoryMailboxTest, KeysCannotReachOutsideTheDirectory) {
    std::filesystem::create_directories(m_in / "processed");
    std::ofstream(m_tmp.path() / "secret.eml") << "outside";
    std::ofstream(m_in / "processed" / "p.eml") << "processed";
    auto mailbox = open_dir();
    ASSERT_TRUE(mailbox);
    for (const char* key : {"../secret.eml", "processed/p.eml", ".hidden.eml", "x.txt", ""}) {
        auto fetched = mailbox->fetch({key, 0}, m_out);
        ASSERT_FALSE(fetched) << key;
        EXPECT_EQ(fetched.error().code(), Errc::usage) << key;
        EXPECT_FALSE(mailbox->done({key, 0}, true)) << key;
    }
    EXPECT_TRUE(std::filesystem::exists(m_tmp.path() / "secret.eml"));
}

}  // namespace
}  // namespace casecrypt::transport
