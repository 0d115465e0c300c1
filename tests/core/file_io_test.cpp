// read_stream, the one bounded reader of standard input and files: it stops at its limit.
#include "core/file_io.h"

#include <gtest/gtest.h>

#include <sstream>

namespace casecrypt {
namespace {

TEST(ReadStream, StopsReadingJustBeyondItsLimit) {
    std::istringstream fits(std::string(100, 'x'));
    auto read = read_stream(fits, "standard input", 100);
    ASSERT_TRUE(read);
    EXPECT_EQ(read->size(), 100u);
    std::istringstream beyond(std::string(100000, 'x'));
    auto refused = read_stream(beyond, "standard input", 100);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().message(), "cannot read standard input: larger than 100 bytes");
    EXPECT_EQ(beyond.tellg(), 101) << "read no further than one byte past the limit";
}

}  // namespace
}  // namespace casecrypt
