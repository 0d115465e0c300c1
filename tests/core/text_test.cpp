#include "core/text.h"

#include <gtest/gtest.h>

namespace casecrypt {
namespace {

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
}

}  // namespace
}  // namespace casecrypt
