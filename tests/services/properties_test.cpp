#include "services/properties.h"

#include <gtest/gtest.h>

namespace casecrypt::services {
namespace {

TEST(PropertyValues, AreCheckedAgainstTheirType) {
    EXPECT_EQ(canonical_property_value("boolean", "True"), "true");
    EXPECT_EQ(canonical_property_value("boolean", "false"), "false");
    EXPECT_FALSE(canonical_property_value("boolean", "1"));
    EXPECT_EQ(canonical_property_value("integer", "5"), "5");
    EXPECT_FALSE(canonical_property_value("integer", "5s"));
    EXPECT_FALSE(canonical_property_value("integer", ""));
    EXPECT_EQ(canonical_property_value("enum:unencrypted|reject", "reject"), "reject");
    auto bad = canonical_property_value("enum:unencrypted|reject", "drop");
    ASSERT_FALSE(bad);
    EXPECT_NE(bad.error().message().find("unencrypted,reject"), std::string::npos);
    EXPECT_EQ(canonical_property_value("string", "anything"), "anything");
}

// Regression (issue 9): `max.message.size -1` made every mail a backup, `retry.seconds -1` and
// a timeout of 0 were taken.
TEST(PropertyValues, IntegersOutsideTheirRangeAreRefusedRegression) {
    EXPECT_EQ(canonical_property_value("integer:1..300", "1"), "1");
    EXPECT_EQ(canonical_property_value("integer:1..300", "300"), "300");
    auto low = canonical_property_value("integer:1..300", "-1");
    ASSERT_FALSE(low);
    EXPECT_EQ(low.error().message(), "-1 is out of range (1 to 300)");
    EXPECT_FALSE(canonical_property_value("integer:1..300", "301"));
    EXPECT_FALSE(canonical_property_value("integer:1..300", "99999999999999999999"))
        << "does not fit";
    EXPECT_EQ(integer_range("integer:0..31536000"), (std::pair<long long, long long>{0, 31536000}));
    EXPECT_FALSE(integer_range("integer"));
    EXPECT_FALSE(integer_range("string"));
}

TEST(PropertyDefinitions, EveryIntegerPropertyHasARangeThatHoldsItsDefault) {
    int integers = 0;
    for (const auto& d : Properties::definitions()) {
        if (!d.type.starts_with("integer"))
            continue;
        ++integers;
        const auto range = integer_range(d.type);
        ASSERT_TRUE(range) << d.module << " / " << d.name << " has no range: " << d.type;
        EXPECT_GE(range->first, 0) << d.name;
        EXPECT_TRUE(canonical_property_value(d.type, d.default_value))
            << d.name << " default " << d.default_value;
    }
    EXPECT_GE(integers, 10);
}

TEST(PropertyDefinitions, MailEncryptionDefaultsToFalse) {
    bool found = false;
    for (const auto& d : Properties::definitions()) {
        if (d.module == "cmas-core-server" && d.name == "mail.encryption") {
            found = true;
            EXPECT_EQ(d.default_value, "false");
            EXPECT_EQ(d.type, "boolean");
        }
    }
    EXPECT_TRUE(found);
}

}  // namespace
}  // namespace casecrypt::services
