// The server's guards, against the real `casecrypt serve`: no session is 401, an engineer on an
// admin route 403, a write without the CSRF token 403, a body too large 413 with the store
// unchanged, and the security headers on every answer (an API one, a page, a 404).
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <thread>
#include <vector>

#include "support/openssl_cli.h"
#include "web/served_desk.h"

namespace casecrypt::test {
namespace {

constexpr const char* kPolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-src 'self'; "
    "frame-ancestors 'none'";

void expect_security_headers(const httplib::Result& r, const std::string& what) {
    ASSERT_TRUE(r) << what;
    EXPECT_EQ(r->get_header_value("Content-Security-Policy"), kPolicy) << what;
    EXPECT_EQ(r->get_header_value_count("Content-Security-Policy"), 1u) << what;
    EXPECT_EQ(r->get_header_value("X-Content-Type-Options"), "nosniff") << what;
    EXPECT_EQ(r->get_header_value("Referrer-Policy"), "no-referrer") << what;
    EXPECT_EQ(r->get_header_value("X-Frame-Options"), "DENY") << what;
}

TEST(WebServer, EveryAnswerCarriesTheSecurityHeaders) {
    ServedDesk served;
    auto c = served.client();
    const auto api = c.Get("/api/session");
    expect_security_headers(api, "GET /api/session");
    EXPECT_EQ(api->get_header_value("Cache-Control"), "no-store");
    const auto page = c.Get("/");
    expect_security_headers(page, "GET /");
    EXPECT_EQ(page->status, 200);
    EXPECT_EQ(page->get_header_value("Content-Type"), "text/html; charset=utf-8");
    EXPECT_NE(page->body.find("<html"), std::string::npos);
    EXPECT_EQ(page->body.find("<script>"), std::string::npos) << "no inline script";
    const auto missing_page = c.Get("/no-such-page.html");
    expect_security_headers(missing_page, "GET /no-such-page.html");
    EXPECT_EQ(missing_page->status, 404);
    const auto missing_api = c.Get("/api/no-such-thing", served.admin().headers());
    expect_security_headers(missing_api, "GET /api/no-such-thing");
    EXPECT_EQ(missing_api->status, 404);
    EXPECT_TRUE(ServedDesk::json(missing_api).contains("error")) << missing_api->body;
}

TEST(WebServer, WithoutASessionEveryApiRouteIs401) {
    ServedDesk served;
    auto c = served.client();
    for (const char* path :
         {"/api/session", "/api/certificates", "/api/properties", "/api/tickets", "/api/users",
          "/api/audit", "/api/backups", "/api/outbox", "/api/accounts", "/api/editor",
          "/api/page-customizations", "/api/attachments/1", "/api/messages/1/html"}) {
        const auto r = c.Get(path);
        ASSERT_TRUE(r) << path;
        EXPECT_EQ(r->status, 401) << path;
        EXPECT_EQ(r->get_header_value("Content-Type"), "application/json") << path;
        EXPECT_TRUE(ServedDesk::json(r).contains("error")) << path << ": " << r->body;
    }
    const auto forged = c.Get("/api/certificates", {{"Cookie", "casecrypt_session=forged"}});
    ASSERT_TRUE(forged);
    EXPECT_EQ(forged->status, 401);
    const auto remove = c.Delete("/api/certificates/1");
    ASSERT_TRUE(remove);
    EXPECT_EQ(remove->status, 401);
}

TEST(WebServer, TheFirstAdminMustChangeTheOneTimePasswordBeforeAnythingElse) {
    ServedDesk served;
    auto c = served.client();
    EXPECT_NE(served.output().find("first start: user admin, one-time password "),
              std::string::npos);
    const auto r = served.login("admin", served.first_password());
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 200) << r->body;
    const std::string cookie = r->get_header_value("Set-Cookie");
    EXPECT_NE(cookie.find("casecrypt_session="), std::string::npos) << cookie;
    EXPECT_NE(cookie.find("HttpOnly"), std::string::npos) << cookie;
    EXPECT_NE(cookie.find("SameSite=Strict"), std::string::npos) << cookie;
    EXPECT_NE(cookie.find("Path=/"), std::string::npos) << cookie;
    EXPECT_EQ(cookie.find("Secure"), std::string::npos) << "plain HTTP: no Secure";
    const auto body = ServedDesk::json(r);
    EXPECT_EQ(body["login"], "admin");
    EXPECT_EQ(body["role"], "admin");
    EXPECT_EQ(body["must_change_password"], true);
    WebSession s{"admin", cookie.substr(0, cookie.find(';')), body["csrf_token"]};

    const auto blocked = c.Get("/api/certificates", s.headers());
    ASSERT_TRUE(blocked);
    EXPECT_EQ(blocked->status, 403);
    EXPECT_NE(blocked->body.find("change your password"), std::string::npos) << blocked->body;
    const auto who = c.Get("/api/session", s.headers());
    ASSERT_TRUE(who);
    EXPECT_EQ(who->status, 200) << who->body;

    const auto no_csrf = c.Put("/api/session/password", s.headers(),
                               R"({"new_password":"a new password 123"})", "application/json");
    ASSERT_TRUE(no_csrf);
    EXPECT_EQ(no_csrf->status, 403);
    const auto changed = c.Put("/api/session/password", s.headers(true),
                               R"({"new_password":"a new password 123"})", "application/json");
    ASSERT_TRUE(changed);
    EXPECT_EQ(changed->status, 200) << changed->body;
    const auto allowed = c.Get("/api/certificates", s.headers());
    ASSERT_TRUE(allowed);
    EXPECT_EQ(allowed->status, 200) << allowed->body;

    // Logging out ends the session.
    const auto out = c.Delete("/api/session", s.headers(true));
    ASSERT_TRUE(out);
    EXPECT_EQ(out->status, 200) << out->body;
    const auto after = c.Get("/api/session", s.headers());
    ASSERT_TRUE(after);
    EXPECT_EQ(after->status, 401);
}

TEST(WebServer, AnEngineerGets403OnAdminRoutesAndMayUseTicketsAndTheEditor) {
    ServedDesk served;
    auto c = served.client();
    const auto engineer = served.user("erin", "engineer");
    for (const char* path :
         {"/api/certificates", "/api/certificates/1", "/api/properties", "/api/page-customizations",
          "/api/users", "/api/audit", "/api/backups", "/api/outbox", "/api/accounts"}) {
        const auto r = c.Get(path, engineer.headers());
        ASSERT_TRUE(r) << path;
        EXPECT_EQ(r->status, 403) << path << ": " << r->body;
    }
    const auto put = c.Put("/api/properties/cmas-core-server/mail.encryption",
                           engineer.headers(true), R"({"value":true})", "application/json");
    ASSERT_TRUE(put);
    EXPECT_EQ(put->status, 403);
    const auto add = c.Post("/api/users", engineer.headers(true),
                            R"({"login":"mallory","role":"admin","password":"mallory password"})",
                            "application/json");
    ASSERT_TRUE(add);
    EXPECT_EQ(add->status, 403);
    for (const char* path : {"/api/tickets", "/api/editor", "/api/session",
                             "/api/certificates/resolve?address=alice@example.test"}) {
        const auto r = c.Get(path, engineer.headers());
        ASSERT_TRUE(r) << path;
        EXPECT_EQ(r->status, 200) << path << ": " << r->body;
    }
    const auto editor = ServedDesk::json(c.Get("/api/editor", engineer.headers()));
    EXPECT_EQ(editor["encryption_available"], false) << editor.dump();
    EXPECT_EQ(editor["signing"], false);
}

TEST(WebServer, AWriteWithoutTheCsrfTokenIs403AndChangesNothing) {
    ServedDesk served;
    auto c = served.client();
    const auto admin = served.admin();
    const std::string body = R"({"value":"true"})";
    const auto none = c.Put("/api/properties/cmas-core-server/mail.encryption", admin.headers(),
                            body, "application/json");
    ASSERT_TRUE(none);
    EXPECT_EQ(none->status, 403);
    auto wrong_headers = admin.headers();
    wrong_headers.emplace("X-CSRF-Token", "not-the-token");
    const auto wrong = c.Put("/api/properties/cmas-core-server/mail.encryption", wrong_headers,
                             body, "application/json");
    ASSERT_TRUE(wrong);
    EXPECT_EQ(wrong->status, 403);
    const auto property =
        served.desk().run({"property", "get", "cmas-core-server", "mail.encryption"});
    EXPECT_NE(property.out.find("false"), std::string::npos) << property.out;
    const auto right = c.Put("/api/properties/cmas-core-server/mail.encryption",
                             admin.headers(true), body, "application/json");
    ASSERT_TRUE(right);
    EXPECT_EQ(right->status, 200) << right->body;
    EXPECT_EQ(ServedDesk::json(right)["value"], "true") << right->body;
}

TEST(WebServer, A60MiBUploadIs413AndTheStoreIsUnchanged) {
    ServedDesk served;
    auto c = served.client();
    const auto admin = served.admin();
    const auto before = served.desk().run({"cert", "list", "--json"});
    ASSERT_EQ(before.exit_code, 0) << before.err;

    const std::string garbage(60u * 1024 * 1024, 'x');
    const auto huge = c.Post("/api/certificates/server", admin.headers(true), garbage,
                             "multipart/form-data; boundary=xyz");
    ASSERT_TRUE(huge) << "no answer: " << httplib::to_string(huge.error());
    EXPECT_EQ(huge->status, 413);
    EXPECT_TRUE(ServedDesk::json(huge).contains("error")) << huge->body;

    // Over the 1 MiB of a certificate file, under the server's overall limit.
    httplib::MultipartFormDataItems items = {
        {"file", std::string(2u * 1024 * 1024, 'y'), "big.pem", "application/x-pem-file"}};
    const auto big = c.Post("/api/certificates/client", admin.headers(true), items);
    ASSERT_TRUE(big);
    EXPECT_EQ(big->status, 413) << big->body;

    const auto after = served.desk().run({"cert", "list", "--json"});
    EXPECT_EQ(after.out, before.out);
    // The server is still there.
    const auto still = c.Get("/api/session", admin.headers());
    ASSERT_TRUE(still);
    EXPECT_EQ(still->status, 200);
}

TEST(WebServer, SigtermEndsItCleanly) {
    ServedDesk served;
    EXPECT_EQ(served.stop(), 0) << served.log();
    EXPECT_NE(served.output().find("casecrypt serve: stopped"), std::string::npos)
        << served.output();
}

}  // namespace
}  // namespace casecrypt::test

namespace casecrypt::test {
namespace {

TEST(WebServer, ServesHttpsWithTheGivenCertificateAndASecureCookie) {
    TempDir dir;
    const auto key = (dir.path() / "site.key").string();
    const auto cert = (dir.path() / "site.pem").string();
    shell("openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 -keyout " +
          quote(key) + " -out " + quote(cert) + " 2>/dev/null");
    ServedDesk served({"--tls-cert", cert, "--tls-key", key}, true);
    EXPECT_NE(served.output().find("web server at https://127.0.0.1:"), std::string::npos)
        << served.output();
    const auto r = served.login("admin", served.first_password());
    ASSERT_TRUE(r) << httplib::to_string(r.error());
    EXPECT_EQ(r->status, 200) << r->body;
    EXPECT_NE(r->get_header_value("Set-Cookie").find("; Secure"), std::string::npos)
        << r->get_header_value("Set-Cookie");
}

TEST(WebServer, AKeyThatIsNoKeyIsRefusedAtStart) {
    TempDir dir;
    const auto junk = (dir.path() / "junk.pem").string();
    std::ofstream(junk) << "not a certificate\n";
    const auto r = run_cli({"--data-dir", (dir.path() / "data").string(), "serve", "--no-poll",
                            "--listen", "127.0.0.1:0", "--tls-cert", junk, "--tls-key", junk});
    EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
    EXPECT_NE(r.err.find("cannot use the TLS certificate"), std::string::npos) << r.err;
}

TEST(WebServer, AChunkedBodyIsRefusedWithoutBeingRead) {
    ServedDesk served;
    const auto admin = served.admin();
    auto c = served.client();
    const auto r = c.Post(
        "/api/certificates/client", admin.headers(true),
        [](std::size_t, httplib::DataSink& sink) {
            const std::string chunk(64 * 1024, 'z');
            for (int i = 0; i < 16; ++i)
                sink.write(chunk.data(), chunk.size());
            sink.done();
            return true;
        },
        "application/octet-stream");
    if (r) {
        EXPECT_EQ(r->status, 411) << r->body;
    }
    // Either way the server goes on, and nothing was stored.
    const auto still = served.client().Get("/api/certificates", admin.headers());
    ASSERT_TRUE(still);
    EXPECT_EQ(still->status, 200);
    EXPECT_EQ(ServedDesk::json(still).size(), 0u);
}

TEST(WebServer, RequestsOnManyThreadsAtOnceEachGetAnAnswer) {
    ServedDesk served;
    const auto admin = served.admin();
    std::vector<std::thread> threads;
    std::atomic<int> ok{0};
    for (int t = 0; t < 8; ++t) {
        threads.emplace_back([&, t] {
            auto c = served.client();
            for (int i = 0; i < 10; ++i) {
                const auto r =
                    (t % 2 == 0)
                        ? c.Get("/api/properties", admin.headers())
                        : c.Put("/api/page-customizations/mailTemplate/mailEncryptionAvailable",
                                admin.headers(true),
                                i % 2 ? R"({"value":true})" : R"({"value":false})",
                                "application/json");
                if (r && r->status == 200)
                    ++ok;
            }
        });
    }
    for (auto& t : threads)
        t.join();
    EXPECT_EQ(ok, 80);
}

}  // namespace
}  // namespace casecrypt::test

namespace casecrypt::test {
namespace {

// A client that sends a request and goes away before reading the answer must not end serve
// (SIGPIPE): the next request is answered.
TEST(WebServer, AClientThatHangsUpEarlyDoesNotEndTheServer) {
    ServedDesk served;
    const auto admin = served.admin();
    for (int i = 0; i < 20; ++i) {
        const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
        ASSERT_GE(fd, 0);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_port = htons(static_cast<std::uint16_t>(served.port()));
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
        const std::string request =
            "GET /api/properties HTTP/1.1\r\nHost: x\r\nCookie: " + admin.cookie + "\r\n\r\n";
        ASSERT_EQ(::write(fd, request.data(), request.size()),
                  static_cast<ssize_t>(request.size()));
        linger hard{1, 0};  // close with a reset: the answer's write fails
        ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &hard, sizeof hard);
        ::close(fd);
    }
    const auto still = served.client().Get("/api/properties", admin.headers());
    ASSERT_TRUE(still) << served.log();
    EXPECT_EQ(still->status, 200);
}

// SIGTERM while a request is in flight: the request is answered, then serve ends with 0.
TEST(WebServer, SigtermLetsTheRequestInFlightFinish) {
    ServedDesk served;
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    ASSERT_GE(fd, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<std::uint16_t>(served.port()));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
    const std::string body = R"({"login":"admin","password":"not the password"})";
    const std::string head =
        "POST /api/session HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
        "Content-Type: application/json\r\nContent-Length: " +
        std::to_string(body.size()) + "\r\n\r\n";
    const std::string first = head + body.substr(0, 10);
    ASSERT_EQ(::write(fd, first.data(), first.size()), static_cast<ssize_t>(first.size()));
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    served.terminate();
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    const std::string rest = body.substr(10);
    ASSERT_EQ(::write(fd, rest.data(), rest.size()), static_cast<ssize_t>(rest.size()));
    std::string answer;
    char buffer[4096];
    for (ssize_t n; (n = ::read(fd, buffer, sizeof buffer)) > 0;)
        answer.append(buffer, static_cast<std::size_t>(n));
    ::close(fd);
    EXPECT_EQ(answer.rfind("HTTP/1.1 401", 0), 0u) << answer;
    EXPECT_EQ(served.stop(), 0) << served.log();
    EXPECT_NE(served.output().find("casecrypt serve: stopped"), std::string::npos);
}

// Browsers keep connections open after a page load; those must not stall the next page for
// long (httplib holds a worker per open connection).
TEST(WebServer, IdleKeepAliveConnectionsDoNotStallTheNextRequestForLong) {
    ServedDesk served;
    std::vector<int> held;
    for (int i = 0; i < 24; ++i) {
        const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
        ASSERT_GE(fd, 0);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_port = htons(static_cast<std::uint16_t>(served.port()));
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
        const std::string request = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
        ASSERT_EQ(::write(fd, request.data(), request.size()),
                  static_cast<ssize_t>(request.size()));
        held.push_back(fd);
    }
    const auto start = std::chrono::steady_clock::now();
    const auto page = served.client().Get("/");
    const auto waited = std::chrono::steady_clock::now() - start;
    for (int fd : held)
        ::close(fd);
    ASSERT_TRUE(page);
    EXPECT_EQ(page->status, 200);
    EXPECT_LT(waited, std::chrono::milliseconds(4000));
}

// A client that asks first (Expect: 100-continue, as curl does) is refused before it sends a
// byte of a body too large: 60 MiB anywhere, over 1 MiB for a certificate.
TEST(WebServer, AClientThatAsksFirstIsRefusedBeforeSendingTheBody) {
    ServedDesk served;
    const auto admin = served.admin();
    for (const auto& [path, length] :
         {std::pair<std::string, std::size_t>{"/api/certificates/client", 3u << 20},
          {"/api/tickets/1/mails", 60u << 20}}) {
        const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
        ASSERT_GE(fd, 0);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_port = htons(static_cast<std::uint16_t>(served.port()));
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
        const std::string request =
            "POST " + path +
            " HTTP/1.1\r\nHost: x\r\nConnection: close\r\nCookie: " + admin.cookie +
            "\r\nX-CSRF-Token: " + admin.csrf +
            "\r\nContent-Type: multipart/form-data; boundary=b\r\n"
            "Expect: 100-continue\r\nContent-Length: " +
            std::to_string(length) + "\r\n\r\n";
        ASSERT_EQ(::write(fd, request.data(), request.size()),
                  static_cast<ssize_t>(request.size()));
        std::string answer;
        char buffer[4096];
        for (ssize_t n; (n = ::read(fd, buffer, sizeof buffer)) > 0;)
            answer.append(buffer, static_cast<std::size_t>(n));
        ::close(fd);
        EXPECT_EQ(answer.rfind("HTTP/1.1 413", 0), 0u) << path << ": " << answer;
        EXPECT_NE(answer.find("{\"error\":"), std::string::npos) << answer;
    }
}

}  // namespace
}  // namespace casecrypt::test
