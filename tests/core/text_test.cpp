// is_valid_utf8 against the Unicode standard's table of well-formed sequences, json_text that
// cannot throw on stored bytes, and fold_lines/escape_control that make text from others safe.
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

// Regression (issue 9): PostgreSQL's and libpq's messages of two and three lines reached the
// terminal as they were.
TEST(FoldLines, APostgresqlErrorOfThreeLinesBecomesOneLine) {
    EXPECT_EQ(fold_lines("ERROR:  syntax error at or near \"SELEC\"\nLINE 1: SELEC 1\n        ^\n"),
              "ERROR:  syntax error at or near \"SELEC\"; LINE 1: SELEC 1; ^");
    EXPECT_EQ(
        fold_lines("Cannot establish connection to the database.\nconnection to server at "
                   "\"127.0.0.1\", port 1 failed: Connection refused\n\tIs the server running?\n"),
        "Cannot establish connection to the database. connection to server at \"127.0.0.1\", "
        "port 1 failed: Connection refused; Is the server running?");
    EXPECT_EQ(fold_lines("one\r\n\r\ntwo"), "one; two");
    EXPECT_EQ(fold_lines("\nleading and trailing  \n\n"), "leading and trailing");
}

TEST(FoldLines, OtherControlCharactersAreShownEscaped) {
    EXPECT_EQ(fold_lines("a\x1b[31mb\tc"), "a\\x1b[31mb c");
    EXPECT_EQ(fold_lines(std::string("nul\0byte", 8)), "nul\\x00byte");
    EXPECT_EQ(fold_lines("Gr\xc3\xbc\xc3\x9f"
                         "e"),
              "Gr\xc3\xbc\xc3\x9f"
              "e")
        << "UTF-8 stays";
}

TEST(EscapeControl, EveryControlCharacterBecomesVisible) {
    EXPECT_EQ(escape_control("a@b\r\nBcc: x"), "a@b\\r\\nBcc: x");
    EXPECT_EQ(escape_control("\x1b]0;title\x07\x7f"), "\\x1b]0;title\\x07\\x7f");
    EXPECT_EQ(escape_control("plain text, \xc3\xa9"), "plain text, \xc3\xa9");
    EXPECT_EQ(escape_control("csi \xc2\x9b"
                             "2J, nbsp \xc2\xa0"),
              "csi \\u009b2J, nbsp \xc2\xa0");
}

TEST(EscapeControl, ABodyKeepsItsLinesButNotItsEscapes) {
    EXPECT_EQ(escape_control("line 1\r\nline\t2\n\x1b[2Jgone\rback", LineBreaks::keep),
              "line 1\nline\t2\n\\x1b[2Jgone\\rback");
}

}  // namespace
}  // namespace casecrypt
