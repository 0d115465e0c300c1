// CrlfReader: LF becomes CRLF, CRLF stays, lone CR passes, whatever the caller's buffer size.
#include "transport/crlf_reader.h"

#include <gtest/gtest.h>

#include <fstream>

#include "support/run_cli.h"

namespace casecrypt::transport {
namespace {

std::string convert(const std::string& input, std::size_t out_size) {
    test::TempDir dir;
    const auto path = dir.path() / "m";
    std::ofstream(path, std::ios::binary) << input;
    auto reader = CrlfReader::open(path);
    EXPECT_TRUE(reader) << reader.error().message();
    std::string out;
    std::string buffer(out_size, '\0');
    for (;;) {
        auto n = reader->read(buffer.data(), buffer.size());
        EXPECT_TRUE(n);
        if (!n || *n == 0) {
            return out;
        }
        out.append(buffer, 0, *n);
    }
}

TEST(CrlfReader, ConvertsLoneLfAndKeepsCrlf) {
    for (std::size_t size : {1u, 2u, 3u, 7u, 65536u}) {
        EXPECT_EQ(convert("a\nb\r\nc\rd\n\n.\n", size), "a\r\nb\r\nc\rd\r\n\r\n.\r\n") << size;
        EXPECT_EQ(convert("\n", size), "\r\n") << size;
        EXPECT_EQ(convert("\r\n", size), "\r\n") << size;
        EXPECT_EQ(convert("\r\r\n", size), "\r\r\n") << size;
        EXPECT_EQ(convert("no newline", size), "no newline") << size;
        EXPECT_EQ(convert("", size), "") << size;
    }
}

TEST(CrlfReader, CrlfSplitAcrossItsOwnReadChunksStaysCrlf) {
    // The reader fills in 64 KiB chunks: put a CR at the end of the first one.
    std::string input(65535, 'x');
    input += "\r\n\n";
    std::string expected(65535, 'x');
    expected += "\r\n\r\n";
    EXPECT_EQ(convert(input, 4096), expected);
}

TEST(CrlfReader, MissingFileIsAnError) {
    auto reader = CrlfReader::open("/nonexistent/casecrypt/m.eml");
    ASSERT_FALSE(reader);
    EXPECT_EQ(reader.error().code(), Errc::io);
}

}  // namespace
}  // namespace casecrypt::transport
