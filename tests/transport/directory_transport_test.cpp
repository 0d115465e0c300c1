// DirectoryTransport: exact bytes, the envelope beside them, atomic appearance, bad names.
#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <sstream>
#include <thread>

#include "support/run_cli.h"
#include "transport/mail_transport.h"

namespace casecrypt::transport {
namespace {

std::string slurp(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

class DirectoryTransportTest : public ::testing::Test {
protected:
    std::filesystem::path write_message(const std::string& bytes) {
        const auto path = m_tmp.path() / "source.eml";
        std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
        return path;
    }
    std::vector<std::string> listing() const {
        std::vector<std::string> names;
        for (const auto& e : std::filesystem::directory_iterator(m_out)) {
            names.push_back(e.path().filename().string());
        }
        std::sort(names.begin(), names.end());
        return names;
    }

    test::TempDir m_tmp;
    std::filesystem::path m_out = m_tmp.path() / "outgoing";
};

TEST_F(DirectoryTransportTest, WritesTheExactBytesAndTheEnvelope) {
    const std::string bytes =
        std::string("Subject: x\r\nA: b\n\nbody\r\n.\n\0nul\xff\xfe", 31) + "no final newline";
    auto transport = make_directory_transport(m_out);  // created on first delivery
    const auto result = transport->deliver(
        Envelope{"support@example.test", {"alice@customer.test", "bob@customer.test"}, "42"},
        write_message(bytes));
    ASSERT_EQ(result.status, DeliveryStatus::delivered) << result.reply;
    EXPECT_EQ(slurp(m_out / "42.eml"), bytes);
    EXPECT_EQ(slurp(m_out / "42.envelope"),
              "support@example.test\nalice@customer.test\nbob@customer.test\n");
    EXPECT_EQ(listing(), (std::vector<std::string>{"42.eml", "42.envelope"}));  // no temp file left
    EXPECT_EQ(std::filesystem::status(m_out / "42.eml").permissions() & std::filesystem::perms::all,
              std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
}

TEST_F(DirectoryTransportTest, DeliveringTheSameNameAgainReplacesIt) {
    auto transport = make_directory_transport(m_out);
    ASSERT_EQ(transport
                  ->deliver(Envelope{"a@example.test", {"x@customer.test"}, "7"},
                            write_message("first\n"))
                  .status,
              DeliveryStatus::delivered);
    ASSERT_EQ(transport->deliver(Envelope{"", {"y@customer.test"}, "7"}, write_message("second\n"))
                  .status,
              DeliveryStatus::delivered);
    EXPECT_EQ(slurp(m_out / "7.eml"), "second\n");
    EXPECT_EQ(slurp(m_out / "7.envelope"), "\ny@customer.test\n");
    EXPECT_EQ(listing().size(), 2u);
}

TEST_F(DirectoryTransportTest, BadNamesAreRefusedAndNothingIsWritten) {
    auto transport = make_directory_transport(m_out);
    const auto message = write_message("x\n");
    const std::vector<std::string> names = {
        "",           "a/b", "..", "../escape", "x..y", ".hidden", "/abs", std::string("nul\0x", 5),
        "line\nbreak"};
    for (const std::string& name : names) {
        const auto result =
            transport->deliver(Envelope{"a@example.test", {"b@customer.test"}, name}, message);
        EXPECT_EQ(result.status, DeliveryStatus::permanent_failure) << name;
    }
    EXPECT_FALSE(std::filesystem::exists(m_tmp.path() / "escape.eml"));
    EXPECT_TRUE(!std::filesystem::exists(m_out) || listing().empty());
}

TEST_F(DirectoryTransportTest, AddressWithALineBreakIsRefused) {
    auto transport = make_directory_transport(m_out);
    const auto result = transport->deliver(
        Envelope{"a@example.test", {"b@customer.test\nc@customer.test"}, "1"}, write_message("x"));
    EXPECT_EQ(result.status, DeliveryStatus::permanent_failure);
    EXPECT_FALSE(std::filesystem::exists(m_out / "1.eml"));
}

TEST_F(DirectoryTransportTest, MissingMessageLeavesNothingBehind) {
    auto transport = make_directory_transport(m_out);
    const auto result = transport->deliver(Envelope{"a@example.test", {"b@customer.test"}, "9"},
                                           m_tmp.path() / "absent.eml");
    EXPECT_EQ(result.status, DeliveryStatus::temporary_failure);
    EXPECT_NE(result.reply.find("absent.eml"), std::string::npos) << result.reply;
    EXPECT_TRUE(listing().empty());
}

TEST_F(DirectoryTransportTest, UnwritableDirectoryIsTemporary) {
    std::ofstream(m_tmp.path() / "a-file") << "x";
    auto transport = make_directory_transport(m_tmp.path() / "a-file" / "sub");
    const auto result = transport->deliver(Envelope{"a@example.test", {"b@customer.test"}, "1"},
                                           write_message("x"));
    EXPECT_EQ(result.status, DeliveryStatus::temporary_failure);
    EXPECT_FALSE(result.reply.empty());
}

// A reader polling the directory must never see a partial .eml or an .eml without envelope.
TEST_F(DirectoryTransportTest, FilesAppearComplete) {
    const std::string bytes(4 * 1024 * 1024, 'm');
    const auto message = write_message(bytes);
    std::filesystem::create_directories(m_out);
    std::atomic<bool> done{false};
    std::atomic<int> seen{0}, bad{0};
    std::thread reader([&] {
        while (!done) {
            for (const auto& e : std::filesystem::directory_iterator(m_out)) {
                if (e.path().extension() != ".eml") {
                    continue;
                }
                auto envelope = e.path();
                envelope.replace_extension(".envelope");
                if (slurp(e.path()).size() != bytes.size() || !std::filesystem::exists(envelope)) {
                    ++bad;
                }
                ++seen;
            }
        }
    });
    auto transport = make_directory_transport(m_out);
    for (int i = 0; i < 20; ++i) {
        const auto result = transport->deliver(
            Envelope{"a@example.test", {"b@customer.test"}, "m" + std::to_string(i)}, message);
        EXPECT_EQ(result.status, DeliveryStatus::delivered) << result.reply;
    }
    done = true;
    reader.join();
    EXPECT_EQ(bad, 0);
    EXPECT_GT(seen, 0);
    EXPECT_EQ(listing().size(), 40u);
}

}  // namespace
}  // namespace casecrypt::transport
