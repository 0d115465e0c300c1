#include "core/secret.h"

#include <gtest/gtest.h>

#include <sstream>

namespace casecrypt {
namespace {

TEST(Secret, NeverPrintsItsValue) {
    Secret secret(std::string("hunter2"));
    std::ostringstream out;
    out << secret;
    EXPECT_EQ(out.str(), "***");
    EXPECT_EQ(secret.reveal(), "hunter2");
}

TEST(Secret, WipeEmptiesIt) {
    Secret secret(std::string("hunter2"));
    secret.wipe();
    EXPECT_TRUE(secret.empty());
}

TEST(Secret, MovedFromIsEmpty) {
    Secret a(std::string("hunter2"));
    Secret b(std::move(a));
    EXPECT_EQ(b.reveal(), "hunter2");
    EXPECT_TRUE(a.empty());  // NOLINT(bugprone-use-after-move): that is the point
}

}  // namespace
}  // namespace casecrypt
