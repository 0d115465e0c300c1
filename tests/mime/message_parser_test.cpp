// parse_message and read_summary on the received-mail fixtures of
// tests/data/make-mime-fixtures.sh (made with printf, iconv, base64 and openssl). The expected
// texts, names, sizes and digests are written out here; the script only makes the bytes.
#include "mime/message_parser.h"

#include <glib.h>
#include <gtest/gtest.h>
#include <sys/resource.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "support/run_cli.h"

namespace casecrypt::mime {
namespace {

using namespace std::chrono;

std::filesystem::path fixture(const std::string& name) {
    const char* dir = std::getenv("CASECRYPT_MIME_FIXTURES");
    if (dir == nullptr) {
        ADD_FAILURE() << "CASECRYPT_MIME_FIXTURES is not set (run through ctest)";
        return name;
    }
    return std::filesystem::path(dir) / name;
}

std::string slurp(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

// SHA-256 by coreutils' sha256sum, not by our code.
std::string sha256(const std::filesystem::path& file) {
    const std::string command = "sha256sum '" + file.string() + "'";
    FILE* pipe = popen(command.c_str(), "r");
    if (pipe == nullptr)
        return "popen failed";
    char digest[65] = {0};
    const std::size_t n = std::fread(digest, 1, 64, pipe);
    pclose(pipe);
    return std::string(digest, n);
}

TimePoint utc(year_month_day day, hours h, minutes m, seconds s) {
    return TimePoint(sys_days(day)) + h + m + s;
}

class MessageParserTest : public ::testing::Test {
protected:
    ParsedMessage parse(const std::string& name) {
        auto result = parse_message(fixture(name), m_dir.path());
        EXPECT_TRUE(result.has_value()) << name << ": " << (result ? "" : result.error().message());
        return result ? *result : ParsedMessage{};
    }
    std::vector<std::string> files_in_dir() const {
        std::vector<std::string> names;
        for (const auto& entry : std::filesystem::directory_iterator(m_dir.path())) {
            names.push_back(entry.path().filename().string());
        }
        std::sort(names.begin(), names.end());
        return names;
    }

    test::TempDir m_dir;
};

// ---- charsets of text bodies ----------------------------------------------------------------

struct CharsetCase {
    const char* file;
    const char* text;
};

class CharsetTest : public MessageParserTest, public ::testing::WithParamInterface<CharsetCase> {};

TEST_P(CharsetTest, TextBodyComesBackAsUtf8) {
    const ParsedMessage m = parse(GetParam().file);
    ASSERT_TRUE(m.text.has_value());
    EXPECT_EQ(*m.text, GetParam().text);
    EXPECT_FALSE(m.html.has_value());
    EXPECT_TRUE(m.attachments.empty());
}

INSTANTIATE_TEST_SUITE_P(
    AllCharsets, CharsetTest,
    ::testing::Values(
        CharsetCase{"text.iso-8859-1.eml", "Grüße aus Köln, café à la crème\n"},
        CharsetCase{"text.iso-8859-2.eml", "Zażółć gęślą jaźń\n"},  // quoted-printable
        CharsetCase{"text.iso-8859-15.eml", "Grüße aus Köln €\n"},  // base64
        CharsetCase{"text.windows-1250.eml", "Příliš žluťoučký kůň úpěl ďábelské ódy\n"},
        CharsetCase{"text.windows-1251.eml", "Привет, мир! Ёлка\n"},
        CharsetCase{"text.windows-1252.eml", "“Quoted” – it’s … 50 €\n"},
        CharsetCase{"text.utf-8.eml", "日本語 · Ελληνικά · 😀\n"},
        CharsetCase{"text.missing-utf8.eml", "naïve café\n"},      // no charset, valid UTF-8
        CharsetCase{"text.missing-utf8-nul.eml", "naïve café\n"},  // a NUL after "naïve"
        CharsetCase{"text.missing-cp1252.eml", "naïve “café”\n"},  // no Content-Type at all
        CharsetCase{"text.unknown.eml", "Grüße – 1 €\n"},          // charset=x-made-up
        CharsetCase{"text.us-ascii-latin1.eml", "Grüße\n"},        // us-ascii, 8-bit sent
        CharsetCase{"text.cp1252-undefined.eml", "a\u0081b\u008dc€\n"},
        CharsetCase{"text.utf-8-invalid.eml", "Köln \ufffd ok\n"}),
    [](const ::testing::TestParamInfo<CharsetCase>& info) {
        std::string name = info.param.file;
        name = name.substr(5, name.size() - 9);  // text.NAME.eml
        std::replace_if(
            name.begin(), name.end(), [](char c) { return !std::isalnum(c); }, '_');
        return name;
    });

// Found by fuzz_mail_parse: glibc's iconv (and GMime, which uses it for headers) writes code
// points above U+10FFFF as 4- to 6-byte sequences, and keeps NUL; what we return is clean UTF-8.
TEST(MessageParserCleanUtf8, IconvOutputBeyondUnicodeAndNulDoNotSurvive) {
    test::TempDir dir;
    const auto mail = dir.path() / "m.eml";
    const auto attachments = dir.path() / "a";
    std::filesystem::create_directories(attachments);
    auto parse_bytes = [&](const std::string& bytes) {
        std::ofstream(mail, std::ios::binary) << bytes;
        auto parsed = parse_message(mail, attachments);
        EXPECT_TRUE(parsed) << (parsed ? "" : parsed.error().message());
        return parsed ? *parsed : ParsedMessage{};
    };
    const std::string ucs4_beyond("\x00\x00\x00\x41\x7f\xff\xff\xff\x00\x00\x00\x42", 12);
    auto m = parse_bytes(
        "Subject: a\xF4\x90\x80\x80"
        "b\nContent-Type: text/plain; charset=ucs-4\n"
        "Content-Transfer-Encoding: binary\n\n" +
        ucs4_beyond);
    EXPECT_EQ(m.subject, "a\ufffd\ufffd\ufffd\ufffdb");
    ASSERT_TRUE(m.text);
    EXPECT_TRUE(g_utf8_validate(m.text->data(), static_cast<gssize>(m.text->size()), nullptr))
        << *m.text;
    EXPECT_EQ(m.text->front(), 'A');
    m = parse_bytes(
        std::string("Subject: nul\nContent-Type: text/plain; charset=iso-8859-2\n\na\0b\n", 63));
    EXPECT_EQ(m.text, "ab\n");
    std::ofstream(mail, std::ios::binary) << "Subject: =?UTF-8?B?YfSQgIBi?=\n\nx\n";
    auto summary = read_summary(mail);
    ASSERT_TRUE(summary);
    EXPECT_TRUE(g_utf8_validate(summary->subject.data(),
                                static_cast<gssize>(summary->subject.size()), nullptr))
        << summary->subject;
}

// ---- header fields --------------------------------------------------------------------------

TEST_F(MessageParserTest, Rfc2047SubjectsNamesAndMessageIds) {
    const ParsedMessage m = parse("headers.rfc2047.eml");
    EXPECT_EQ(m.subject, "Re: ZażółćПривет [Ticket (42)]");  // adjacent words join, folding unfolds
    ASSERT_TRUE(m.from.has_value());
    EXPECT_EQ(m.from->name, "Jürgen Müller");  // an encoded-word inside a quoted string
    EXPECT_EQ(m.from->address, "juergen.mueller@customer.test");
    ASSERT_EQ(m.to.size(), 3u);
    EXPECT_EQ(m.to[0].display(), "René Grün <rene@example.test>");
    EXPECT_EQ(m.to[1].display(), "\"Doe, John\" <john@example.test>");
    EXPECT_EQ(m.to[2].name, "Иван Петров");
    EXPECT_EQ(m.to[2].address, "ivan@example.test");
    ASSERT_EQ(m.cc.size(), 1u);  // the empty group contributes nothing
    EXPECT_EQ(m.cc[0].display(), "plain@example.test");
    ASSERT_EQ(m.reply_to.size(), 1u);
    EXPECT_EQ(m.reply_to[0].display(), "Tickets <tickets@customer.test>");
    EXPECT_EQ(m.message_id, "20260303.1@customer.test");
    EXPECT_EQ(m.in_reply_to, "ticket-42@example.test");
    EXPECT_EQ(m.references,
              (std::vector<std::string>{"first@customer.test", "ticket-42@example.test"}));
    EXPECT_EQ(m.date, utc(2026y / March / 3, 13h, 5min, 9s));
    EXPECT_EQ(m.text, "Headers.\n");
}

TEST_F(MessageParserTest, WhiteSpaceBetweenEncodedWordsVanishes) {
    const ParsedMessage m = parse("headers.adjacent.eml");
    EXPECT_EQ(m.subject, "Café crème brûlée ok");
    EXPECT_EQ(m.date, utc(2026y / March / 3, 14h, 5min, 9s));
    EXPECT_EQ(m.message_id, "");
    ASSERT_TRUE(m.from.has_value());
    EXPECT_EQ(m.from->display(), "carl@customer.test");
}

TEST_F(MessageParserTest, UnencodedLatin1HeadersAreReadAsWindows1252) {
    const ParsedMessage m = parse("headers.8bit-latin1.eml");
    EXPECT_EQ(m.subject, "Grüße aus Köln €");
    ASSERT_TRUE(m.from.has_value());
    EXPECT_EQ(m.from->name, "Jürgen „Sepp“ Müller");
    EXPECT_FALSE(m.date.has_value());  // "Date: not a date"
}

TEST_F(MessageParserTest, UnencodedUtf8HeadersAreKept) {
    const ParsedMessage m = parse("headers.8bit-utf8.eml");
    EXPECT_EQ(m.subject, "Grüße – Привет");
    ASSERT_TRUE(m.from.has_value());
    EXPECT_EQ(m.from->name, "Jiří");
    ASSERT_EQ(m.to.size(), 1u);
    EXPECT_EQ(m.to[0].display(), "Иван <ivan@example.test>");
}

TEST(MailAddressTest, DisplayQuotesTheNameOnlyWhenItMustAndEscapesQuotes) {
    EXPECT_EQ((MailAddress{"", "a@example.test"}.display()), "a@example.test");
    EXPECT_EQ((MailAddress{"Anna Müller", "a@example.test"}.display()),
              "Anna Müller <a@example.test>");
    EXPECT_EQ((MailAddress{"Müller, Anna", "a@example.test"}.display()),
              "\"Müller, Anna\" <a@example.test>");
    EXPECT_EQ((MailAddress{"Say \"hi\" \\o/", "a@example.test"}.display()),
              "\"Say \\\"hi\\\" \\\\o/\" <a@example.test>");
    EXPECT_EQ((MailAddress{"A. Person", "a@example.test"}.display()),
              "\"A. Person\" <a@example.test>");
}

// ---- attachments ----------------------------------------------------------------------------

constexpr const char* kPdfSha256 =
    "b0da1625b1d00a43e98c535734c03a93895c6766fd151056c56bc34a992fbcc0";
constexpr const char* kXlsSha256 =
    "49ca3daca2cc8d26fc858a4a0321ee6777ac3402649c83bc8423c75510c7579c";
constexpr const char* kPngSha256 =
    "fa674a7f2984ed2e4903d8c424a1e0f6f2297e5d6af4b3a475146fe70357556b";

struct ExpectedAttachment {
    std::string name, content_type;
    std::uint64_t size;
    std::string sha256_or_bytes;  // 64 hex digits, else the exact bytes
    std::string content_id;
    bool is_inline;
};

void expect_attachments(const std::vector<AttachmentInfo>& actual,
                        const std::vector<ExpectedAttachment>& expected,
                        const std::filesystem::path& dir) {
    ASSERT_EQ(actual.size(), expected.size());
    for (std::size_t i = 0; i < expected.size(); ++i) {
        SCOPED_TRACE("attachment " + std::to_string(i + 1) + " " + expected[i].name);
        EXPECT_EQ(actual[i].name, expected[i].name);
        EXPECT_EQ(actual[i].content_type, expected[i].content_type);
        EXPECT_EQ(actual[i].size, expected[i].size);
        EXPECT_EQ(actual[i].content_id, expected[i].content_id);
        EXPECT_EQ(actual[i].is_inline, expected[i].is_inline);
        EXPECT_EQ(actual[i].file.parent_path(), dir);  // our name, in the given directory
        EXPECT_EQ(std::filesystem::file_size(actual[i].file), expected[i].size);
        if (expected[i].sha256_or_bytes.size() == 64) {
            EXPECT_EQ(sha256(actual[i].file), expected[i].sha256_or_bytes);
        } else {
            EXPECT_EQ(slurp(actual[i].file), expected[i].sha256_or_bytes);
        }
    }
}

TEST_F(MessageParserTest, AttachmentNamesFromRfc2231Rfc2047ContentTypeOrGenerated) {
    const ParsedMessage m = parse("attachments.eml");
    EXPECT_EQ(m.text,
              "See the attachments, Grüße.");  // the newline before a boundary is the boundary's
    EXPECT_FALSE(m.html.has_value());
    expect_attachments(
        m.attachments,
        {
            {"Résumé – 2026.pdf", "application/pdf", 3000, kPdfSha256, "",
             false},  // RFC 2231 continued
            {"report.xls", "application/vnd.ms-excel", 1234, kXlsSha256, "",
             false},  // Content-Type name=
            {"passwd", "application/octet-stream", 31, "root:x:0:0:root:/root:/bin/bash", "",
             false},
            {"y.exe", "application/x-msdownload", 4, std::string("MZ\x90\0", 4), "", false},
            {"attachment-5.pdf", "application/pdf", 3000, kPdfSha256, "", false},  // no name
            {"attachment-6.bin", "application/octet-stream", 7, "no name", "", false},
            {"notes.txt", "text/plain", 16, "Notizen: Größe", "",
             false},  // text, but an attachment
            {"Übersicht.png", "image/png", 100, kPngSha256, "overview@customer.test",
             true},  // RFC 2047
            {"attachment-9.bin", "application/octet-stream", 4, "dots", "",
             false},  // filename=".."
        },
        m_dir.path());
    // Nothing but our own files (no "passwd", no "y.exe") was written.
    EXPECT_EQ(files_in_dir(),
              (std::vector<std::string>{"part-1", "part-2", "part-3", "part-4", "part-5", "part-6",
                                        "part-7", "part-8", "part-9"}));
}

TEST_F(MessageParserTest, ExistingFilesInTheAttachmentDirectoryAreNotOverwritten) {
    std::ofstream(m_dir.path() / "part-1") << "mine";
    const ParsedMessage m = parse("nested.eml");
    ASSERT_EQ(m.attachments.size(), 2u);
    EXPECT_EQ(m.attachments[0].file, m_dir.path() / "part-2");
    EXPECT_EQ(slurp(m_dir.path() / "part-1"), "mine");
}

TEST_F(MessageParserTest, NestedMixedAlternativeRelatedWithInlineImage) {
    const ParsedMessage m = parse("nested.eml");
    EXPECT_EQ(m.subject, "Nested");
    EXPECT_EQ(m.text, "Das Logo für Köln.");
    EXPECT_EQ(m.html,
              "<p>Das Logo für Köln: <img src=\"cid:logo@customer.test\" alt=\"Logo\"></p>");
    expect_attachments(m.attachments,
                       {
                           {"logo.png", "image/png", 100, kPngSha256, "logo@customer.test", true},
                           {"Angebot.pdf", "application/pdf", 3000, kPdfSha256, "", false},
                       },
                       m_dir.path());
    EXPECT_EQ(sanitize_html(*m.html),
              "<p>Das Logo für Köln: <img alt=\"Logo\" src=\"cid:logo@customer.test\"></p>");
}

TEST_F(MessageParserTest, AlternativeWithCrlfLineEnds) {
    const ParsedMessage m = parse("alternative.eml");
    EXPECT_EQ(m.text, "Hallo,\ndie Straße ist gesperrt.");
    EXPECT_EQ(m.html, "<p>Hallo,<br>die <b>Straße</b> ist gesperrt.</p>\n");
    EXPECT_TRUE(m.attachments.empty());
}

TEST_F(MessageParserTest, OnlyHtml) {
    const ParsedMessage m = parse("only-html.eml");
    EXPECT_FALSE(m.text.has_value());
    EXPECT_EQ(m.html, "<html><body><p>„Nur HTML“ – 50 €</p></body></html>\n");
    EXPECT_TRUE(m.attachments.empty());
}

TEST_F(MessageParserTest, ForwardedMessageIsOneAttachmentNamedAfterItsSubject) {
    const ParsedMessage m = parse("forwarded.eml");
    EXPECT_EQ(m.text, "See below.");  // not the forwarded message's text
    std::string inner = slurp(fixture("forwarded-inner.eml"));
    inner.pop_back();  // the last newline belongs to the closing boundary
    expect_attachments(m.attachments,
                       {{"Angebot für Köln.eml", "message/rfc822", inner.size(), inner, "", true}},
                       m_dir.path());
}

TEST_F(MessageParserTest, TruncatedMessageKeepsWhatArrived) {
    const ParsedMessage m = parse("truncated.eml");
    EXPECT_EQ(m.text, "The text arrived.");
    expect_attachments(
        m.attachments,
        {{"cut.bin", "application/octet-stream", 228,
          "74945cf62d066fd7d13c9ea8eafdebe072fa9e11aad80d5c655416dd542ac9d2", "", false}},
        m_dir.path());
}

TEST_F(MessageParserTest, EmptyBody) {
    const ParsedMessage m = parse("empty-body.eml");
    EXPECT_EQ(m.subject, "Empty");
    EXPECT_EQ(m.text, "");
    EXPECT_FALSE(m.html.has_value());
    EXPECT_TRUE(m.attachments.empty());
}

TEST_F(MessageParserTest, HostileHtmlIsReturnedAsReceivedAndSanitisedOnRequest) {
    const ParsedMessage m = parse("hostile-html.eml");
    const std::string received =
        "<html><head><title>t</title><style>p{color:red}</style><script>alert(1)</script></head>\n"
        "<body onload=\"alert(2)\"><p style=\"x\" onclick=\"alert(3)\">Hi <a "
        "href=\"jAvA&#x09;script:alert(4)\">x</a> <a "
        "href=\"https://example.test/?a=1&amp;b=2\">ok</a>"
        "</p><iframe src=\"https://evil.test/\"></iframe><img src=\"https://tracker.test/p.gif\">"
        "<img src=\"cid:logo@customer.test\" onerror=\"alert(5)\"></body></html>\n";
    EXPECT_EQ(m.html, received);
    EXPECT_EQ(sanitize_html(received),
              "\n<p>Hi x <a href=\"https://example.test/?a=1&amp;b=2\" rel=\"noopener noreferrer\" "
              "target=\"_blank\">ok</a></p><img src=\"cid:logo@customer.test\">");
}

TEST_F(MessageParserTest, MboxFromLineIsSkipped) {
    const ParsedMessage m = parse("summary-mbox.eml");
    EXPECT_EQ(m.subject, "From an mbox");
    EXPECT_EQ(m.text, "x\n");
}

TEST_F(MessageParserTest, DeepNestingStopsAtGMimesLimitWithoutCrashing) {
    auto result = parse_message(
        fixture("deep-nesting.eml"), m_dir.path(),
        ParseLimits{.max_parts = 100000, .max_depth = 100000, .parts_name = "", .depth_name = ""});
    ASSERT_TRUE(result) << result.error().message();
    EXPECT_EQ(result->subject, "Deep");
    EXPECT_FALSE(result->text.has_value());  // "innermost" lies beyond GMime's own limit
}

TEST_F(MessageParserTest, DeepNestingBeyondTheLimitIsRefusedBeforeAnythingIsWritten) {
    auto result = parse_message(
        fixture("deep-nesting.eml"), m_dir.path(),
        ParseLimits{
            .max_parts = 1000, .max_depth = 8, .parts_name = "", .depth_name = "the depth"});
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().code(), Errc::rejected);
    EXPECT_EQ(result.error().message(),
              "the mail's MIME parts are nested deeper than 8 levels (the depth)");
    EXPECT_TRUE(files_in_dir().empty());
}

TEST_F(MessageParserTest, MorePartsThanTheLimitAreRefusedBeforeAnythingIsWritten) {
    auto result = parse_message(
        fixture("deep-nesting.eml"), m_dir.path(),
        ParseLimits{.max_parts = 3, .max_depth = 32, .parts_name = "", .depth_name = ""});
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().message(), "the mail has more than 3 MIME parts");
    EXPECT_TRUE(files_in_dir().empty());
}

TEST_F(MessageParserTest, WhatIsNotAMessageIsRejected) {
    for (const char* name : {"empty.eml", "not-a-message.bin", "no-header.txt"}) {
        const auto result = parse_message(fixture(name), m_dir.path());
        ASSERT_FALSE(result.has_value()) << name;
        EXPECT_EQ(result.error().code(), Errc::rejected) << name;
    }
    const auto missing = parse_message(fixture("no-such-file.eml"), m_dir.path());
    ASSERT_FALSE(missing.has_value());
    EXPECT_EQ(missing.error().code(), Errc::io);
}

TEST_F(MessageParserTest, AttachmentDirectoryThatDoesNotExistIsAnIoError) {
    const auto result = parse_message(fixture("nested.eml"), m_dir.path() / "missing");
    ASSERT_FALSE(result.has_value());
    EXPECT_EQ(result.error().code(), Errc::io);
}

// ---- large messages -------------------------------------------------------------------------

long max_rss_kib() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_maxrss;
}

TEST_F(MessageParserTest, SixtyMebibyteAttachmentIsDecodedIntoAFileNotIntoMemory) {
    const long before = max_rss_kib();
    const ParsedMessage m = parse("big.eml");
    const long grown_kib = max_rss_kib() - before;
    EXPECT_EQ(m.text, "A large file.");
    ASSERT_EQ(m.attachments.size(), 1u);
    EXPECT_EQ(m.attachments[0].name, "big.bin");
    EXPECT_EQ(m.attachments[0].size, 60u * 1024 * 1024);
    std::string expected = slurp(fixture("big.sha256"));
    expected.resize(64);
    EXPECT_EQ(sha256(m.attachments[0].file), expected);
    EXPECT_LT(grown_kib, 24 * 1024) << "the attachment went through memory";
}

TEST_F(MessageParserTest, TextBodyOver16MebibytesIsAnAttachment) {
    const ParsedMessage m = parse("big-text.eml");
    EXPECT_FALSE(m.text.has_value());
    ASSERT_EQ(m.attachments.size(), 1u);
    EXPECT_EQ(m.attachments[0].name, "attachment-1.txt");
    EXPECT_EQ(m.attachments[0].content_type, "text/plain");
    EXPECT_EQ(m.attachments[0].size, 17u * 1024 * 1024);
}

// ---- read_summary ---------------------------------------------------------------------------

TEST(ReadSummaryTest, HeaderFieldsAndRecipientsOfEveryKindInFieldOrder) {
    const auto summary = read_summary(fixture("summary.eml"));
    ASSERT_TRUE(summary.has_value()) << summary.error().message();
    EXPECT_EQ(summary->subject, "Verschlüsselt");
    EXPECT_EQ(summary->from, "\"Müller, Anna\" <anna@customer.test>");
    EXPECT_EQ(summary->from_address, "anna@customer.test");
    EXPECT_EQ(summary->message_id, "summary@customer.test");
    EXPECT_EQ(summary->date, utc(2026y / March / 3, 13h, 5min, 9s));
    // To, Cc, Delivered-To (twice), X-Original-To (twice), Resent-To, Envelope-To; each once.
    EXPECT_EQ(
        summary->recipients,
        (std::vector<std::string>{"support@example.test", "sales@example.test", "bob@customer.test",
                                  "archive@example.test", "alias@example.test",
                                  "resent@example.test", "envelope@example.test"}));
}

TEST(ReadSummaryTest, MboxFromLineIsSkipped) {
    const auto summary = read_summary(fixture("summary-mbox.eml"));
    ASSERT_TRUE(summary.has_value()) << summary.error().message();
    EXPECT_EQ(summary->subject, "From an mbox");
    EXPECT_EQ(summary->from, "carl@customer.test");
    EXPECT_EQ(summary->recipients, (std::vector<std::string>{"support@example.test"}));
    EXPECT_FALSE(summary->date.has_value());
}

TEST(ReadSummaryTest, BrokenHeadersDecodeLikeParseMessage) {
    const auto summary = read_summary(fixture("headers.8bit-latin1.eml"));
    ASSERT_TRUE(summary.has_value()) << summary.error().message();
    EXPECT_EQ(summary->subject, "Grüße aus Köln €");
    EXPECT_EQ(summary->from, "Jürgen „Sepp“ Müller <juergen@customer.test>");
}

TEST(ReadSummaryTest, NoHeaderIsRejectedAndAMissingFileIsAnIoError) {
    for (const char* name : {"empty.eml", "no-header.txt"}) {
        const auto summary = read_summary(fixture(name));
        ASSERT_FALSE(summary.has_value()) << name;
        EXPECT_EQ(summary.error().code(), Errc::rejected) << name;
    }
    const auto missing = read_summary(fixture("no-such-file.eml"));
    ASSERT_FALSE(missing.has_value());
    EXPECT_EQ(missing.error().code(), Errc::io);
}

}  // namespace
}  // namespace casecrypt::mime

namespace casecrypt::mime {
namespace {

// What the incoming pipeline relies on to parse a plain mail once: with stop_at_smime an
// S/MIME mail (whole, or a part of a multipart) stops at its header with nothing written, and
// a plain one is read in full; both give the recipients read_summary gives.
TEST_F(MessageParserTest, StopAtSmimeLeavesAnSmimeMailUnreadAndReadsAPlainOneOnce) {
    const std::string header =
        "From: Carl <carl@customer.test>\nTo: Support <SUPPORT@example.test>\n"
        "Cc: sales@example.test\nDelivered-To: support@example.test\nSubject: S\n"
        "MIME-Version: 1.0\n";
    const std::vector<std::string> recipients = {"support@example.test", "sales@example.test"};
    const auto mails = m_dir.path() / "mails";
    std::filesystem::create_directory(mails);
    const auto write = [&](const std::string& name, const std::string& text) {
        std::ofstream(mails / name, std::ios::binary) << text;
        return mails / name;
    };
    const auto whole = write("whole.eml", header +
                                              "Content-Type: application/pkcs7-mime; "
                                              "smime-type=enveloped-data; name=smime.p7m\n"
                                              "Content-Transfer-Encoding: base64\n\nMIAGCSqG\n");
    const auto mixed =
        write("mixed.eml", header +
                               "Content-Type: multipart/mixed; boundary=b\n\n--b\n"
                               "Content-Type: text/plain\n\nplain\n--b\n"
                               "Content-Type: application/octet-stream; name=x.p7m\n\nxx\n--b--\n");
    const auto plain =
        write("plain.eml", header +
                               "Content-Type: multipart/mixed; boundary=b\n\n--b\n"
                               "Content-Type: text/plain\n\nhello\n--b\n"
                               "Content-Type: application/pdf; name=r.pdf\n\nPDF\n--b--\n");
    const auto out = m_dir.path() / "out";
    std::filesystem::create_directory(out);
    for (const auto& smime : {whole, mixed}) {
        auto parsed = parse_message(smime, out, {}, true);
        ASSERT_TRUE(parsed) << parsed.error().message();
        EXPECT_TRUE(parsed->smime) << smime;
        EXPECT_EQ(parsed->recipients, recipients);
        EXPECT_EQ(parsed->subject, "S");
        EXPECT_FALSE(parsed->text) << "its body is not read";
        EXPECT_TRUE(std::filesystem::is_empty(out)) << "nothing written for " << smime;
    }
    auto parsed = parse_message(plain, out, {}, true);
    ASSERT_TRUE(parsed) << parsed.error().message();
    EXPECT_FALSE(parsed->smime);
    EXPECT_EQ(parsed->recipients, recipients);
    EXPECT_EQ(parsed->text, "hello");
    ASSERT_EQ(parsed->attachments.size(), 1u);
    EXPECT_EQ(parsed->attachments[0].name, "r.pdf");
    auto summary = read_summary(plain);
    ASSERT_TRUE(summary);
    EXPECT_EQ(summary->recipients, recipients) << "the same as the summary's";
    auto whole_read = parse_message(whole, out);
    ASSERT_TRUE(whole_read);
    EXPECT_FALSE(whole_read->smime) << "without stop_at_smime it is read like any mail";
}

}  // namespace
}  // namespace casecrypt::mime
