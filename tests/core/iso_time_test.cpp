#include "core/iso_time.h"

#include <gtest/gtest.h>

namespace casecrypt {
namespace {

TEST(IsoTime, RoundTripsAndSortsAsText) {
    const auto t = from_iso8601("2026-11-27T21:18:41Z");
    ASSERT_TRUE(t.has_value());
    EXPECT_EQ(t->time_since_epoch().count(), 1795814321);
    EXPECT_EQ(to_iso8601(*t), "2026-11-27T21:18:41Z");
    EXPECT_EQ(to_date(*t), "2026-11-27");
    EXPECT_LT(to_iso8601(*t), to_iso8601(*t + std::chrono::seconds(1)));
}

TEST(IsoTime, RejectsOtherForms) {
    EXPECT_FALSE(from_iso8601("2026-11-27 21:18:41").has_value());
    EXPECT_FALSE(from_iso8601("2026-11-27T21:18:41+01:00").has_value());
    EXPECT_FALSE(from_iso8601("yesterday").has_value());
}

}  // namespace
}  // namespace casecrypt
