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
