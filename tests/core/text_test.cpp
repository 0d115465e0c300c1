// is_valid_utf8 against the Unicode standard's table of well-formed sequences, and json_text
// that cannot throw on stored bytes.
#include "core/text.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "core/json_text.h"

namespace casecrypt {
namespace {

TEST(Utf8, WellFormedSequencesAreValid) {
    for (const char* text :
         {"", "plain ASCII",
          "Gr\xc3\xbc\xc3\x9f"
          "e",
          "\xe2\x82\xac", "\xef\xbf\xbd", "\xf0\x9f\x93\xa7", "\xf4\x8f\xbf\xbf", "\xed\x9f\xbf"}) {
        EXPECT_TRUE(is_valid_utf8(text)) << text;
    }
}

TEST(Utf8, IllFormedSequencesAreInvalid) {
    for (const char* text : {"\xff", "dc=\xff", "\x80", "\xc3", "\xc0\xaf", "\xc1\xbf",
                             "\xe0\x80\xaf", "\xed\xa0\x80", "\xf0\x80\x80\xaf", "\xf4\x90\x80\x80",
                             "\xf5\x80\x80\x80", "\xe2\x82", "\xe2\x82x", "a\xf0\x9f\x93"}) {
        EXPECT_FALSE(is_valid_utf8(text)) << text;
    }
}

TEST(JsonText, InvalidUtf8BecomesTheReplacementCharacterInsteadOfAnException) {
    const nlohmann::json value = {{"subject",
                                   "us\xff"
                                   "er"}};
    EXPECT_THROW((void)value.dump(), nlohmann::json::type_error) << "what the helper prevents";
    EXPECT_EQ(json_text(value),
              "{\"subject\":\"us\xef\xbf\xbd"
              "er\"}");
    EXPECT_EQ(json_text(nlohmann::json::array({1}), 2), "[\n  1\n]");
}

TEST(JsonText, TextThatIsNotJsonReadsAsNull) {
    EXPECT_TRUE(json_value("[\"\xff\"]").is_null());
    EXPECT_TRUE(json_value("{").is_null());
    EXPECT_EQ(json_value("[\"a\"]"), nlohmann::json::array({"a"}));
}

}  // namespace
}  // namespace casecrypt
