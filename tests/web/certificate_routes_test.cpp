// Certificates through the API: uploads land in the store as `cert import-*` would put them, a
// rejected file answers 422 with the validator's sentence and changes nothing, and no answer
// of any route ever holds private key material (checked against the DER of the imported key,
// as openssl extracts it from the fixture, in hex and base64) or a password.
#include <gtest/gtest.h>

#include "support/openssl_cli.h"
#include "web/served_desk.h"

namespace casecrypt::test {
namespace {

httplib::Result upload_server(const ServedDesk& served, const WebSession& s, const std::string& p12,
                              const std::string& password) {
    httplib::MultipartFormDataItems items = {
        {"file", slurp(fx(p12)), "support.p12", "application/x-pkcs12"},
        {"password", password, "", ""}};
    return served.client().Post("/api/certificates/server", s.headers(true), items);
}

httplib::Result upload_client(const ServedDesk& served, const WebSession& s,
                              const std::string& file) {
    httplib::MultipartFormDataItems items = {{"file", slurp(fx(file)),
                                              std::filesystem::path(file).filename().string(),
                                              "application/x-pem-file"}};
    return served.client().Post("/api/certificates/client", s.headers(true), items);
}

TEST(CertificateRoutes, UploadsAreImportedAndRejectionsSayWhyAndChangeNothing) {
    ServedDesk served;
    const auto admin = served.admin();
    auto c = served.client();
    const auto server =
        upload_server(served, admin, "server/ok-aes256.p12", slurp(fx("server/ok-aes256.pass")));
    ASSERT_TRUE(server);
    ASSERT_EQ(server->status, 201) << server->body;
    const auto imported = ServedDesk::json(server);
    EXPECT_EQ(imported["items"][0]["outcome"], "imported");
    EXPECT_EQ(imported["items"][0]["certificate"]["kind"], "server");
    EXPECT_EQ(imported["items"][0]["certificate"]["created_by"], "admin");

    const auto before = served.desk().run({"cert", "list", "--json"});
    const auto wrong = upload_server(served, admin, "server/ok-aes256.p12", "not the password");
    ASSERT_TRUE(wrong);
    EXPECT_EQ(wrong->status, 422) << wrong->body;
    EXPECT_FALSE(ServedDesk::json(wrong).value("error", "").empty()) << wrong->body;
    const auto ca = upload_client(served, admin, "client/reject-ca-cert.pem");
    ASSERT_TRUE(ca);
    EXPECT_EQ(ca->status, 422) << ca->body;
    EXPECT_FALSE(ServedDesk::json(ca).value("error", "").empty()) << ca->body;
    EXPECT_EQ(served.desk().run({"cert", "list", "--json"}).out, before.out);

    const auto client = upload_client(served, admin, "client/ok-rsa2048-dn-email.pem");
    ASSERT_TRUE(client);
    ASSERT_EQ(client->status, 201) << client->body;

    // The list is what `cert list --json` says.
    const auto listed = c.Get("/api/certificates?kind=client", admin.headers());
    ASSERT_TRUE(listed);
    const auto cli = served.desk().json({"cert", "list", "--kind", "client", "--json"});
    EXPECT_EQ(ServedDesk::json(listed), cli);
    const long long id = cli[0]["id"];
    const auto shown = c.Get("/api/certificates/" + std::to_string(id), admin.headers());
    ASSERT_TRUE(shown);
    EXPECT_EQ(ServedDesk::json(shown),
              served.desk().json({"cert", "show", std::to_string(id), "--json"}));
    const auto resolved =
        c.Get("/api/certificates/resolve?address=alice@example.test", admin.headers());
    ASSERT_TRUE(resolved);
    EXPECT_EQ(ServedDesk::json(resolved)["certificate"]["id"], id) << resolved->body;
    const auto none =
        c.Get("/api/certificates/resolve?address=nobody@example.test", admin.headers());
    ASSERT_TRUE(none);
    EXPECT_EQ(none->status, 200);
    EXPECT_TRUE(ServedDesk::json(none)["certificate"].is_null());
    EXPECT_FALSE(ServedDesk::json(none).value("reason", "").empty());

    const auto removed = c.Delete("/api/certificates/" + std::to_string(id), admin.headers(true));
    ASSERT_TRUE(removed);
    EXPECT_EQ(removed->status, 200) << removed->body;
    const auto gone = c.Get("/api/certificates/" + std::to_string(id), admin.headers());
    ASSERT_TRUE(gone);
    EXPECT_EQ(gone->status, 404);
}

TEST(CertificateRoutes, NoAnswerContainsKeyMaterialOrAPassword) {
    ServedDesk served;
    const auto admin = served.admin();
    auto c = served.client();
    const std::string p12 = fx("server/ok-aes256.p12");
    const std::string pass_file = fx("server/ok-aes256.pass");
    const std::string password = slurp(pass_file);
    ASSERT_EQ(upload_server(served, admin, "server/ok-aes256.p12", password)->status, 201);
    ASSERT_EQ(upload_client(served, admin, "client/ok-rsa2048-dn-email.pem")->status, 201);

    // The key as openssl (not our code) takes it out of the fixture: DER, in hex and base64.
    const std::string der = "openssl pkcs12 -in " + quote(p12) + " -nocerts -nodes -passin " +
                            quote("file:" + pass_file) + " | openssl pkey -outform DER";
    const std::string hex = shell(der + " | od -An -v -tx1 | tr -d ' \\n'");
    const std::string base64 = shell(der + " | openssl base64 -A");
    ASSERT_GT(hex.size(), 1000u);
    std::string upper_hex = hex;
    for (auto& ch : upper_hex)
        ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    // Any 24 bytes of the key, at any 3-byte boundary (where base64 of a part starts alike).
    std::vector<std::string> needles;
    for (std::size_t at = 0; at + 48 <= hex.size(); at += 6) {
        needles.push_back(hex.substr(at, 48));
        needles.push_back(upper_hex.substr(at, 48));
    }
    for (std::size_t at = 0; at + 32 <= base64.size(); at += 4)
        needles.push_back(base64.substr(at, 32));

    std::vector<std::string> paths = {"/api/certificates",
                                      "/api/certificates?kind=server",
                                      "/api/certificates/resolve?address=support@example.test",
                                      "/api/properties",
                                      "/api/page-customizations",
                                      "/api/users",
                                      "/api/audit",
                                      "/api/session",
                                      "/api/editor",
                                      "/api/tickets",
                                      "/api/backups",
                                      "/api/outbox",
                                      "/api/accounts"};
    for (const auto& cert : served.desk().json({"cert", "list", "--json"}))
        paths.push_back("/api/certificates/" + std::to_string(cert["id"].get<long long>()));
    for (const auto& path : paths) {
        const auto r = c.Get(path, admin.headers());
        ASSERT_TRUE(r) << path;
        EXPECT_EQ(r->status, 200) << path << ": " << r->body;
        for (const auto& needle : needles)
            ASSERT_EQ(r->body.find(needle), std::string::npos) << path << " holds key material";
        EXPECT_EQ(r->body.find("PRIVATE KEY"), std::string::npos) << path;
        EXPECT_EQ(r->body.find(password), std::string::npos) << path << " holds the password";
        EXPECT_EQ(r->body.find(kAdminPassword), std::string::npos) << path;
        EXPECT_EQ(r->body.find(served.first_password()), std::string::npos) << path;
        EXPECT_EQ(r->body.find("$argon2"), std::string::npos) << path << " holds a hash";
    }
}

}  // namespace
}  // namespace casecrypt::test
