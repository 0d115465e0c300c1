// ServedDesk: `casecrypt serve --no-poll --listen 127.0.0.1:0` (the real binary) on a fresh data
// directory, with an httplib client and the logins the API tests need: the first admin (its
// one-time password read from serve's output, changed at the first login as the API demands)
// and engineers. The CLI still works on the same data directory beside it (Helpdesk).
#pragma once

#include <httplib.h>
#include <sys/types.h>

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "support/helpdesk.h"

namespace casecrypt::test {

// A logged-in browser: the session cookie and the CSRF token.
struct WebSession {
    std::string login;
    std::string cookie;  // "casecrypt_session=..."
    std::string csrf;
    // Cookie, and X-CSRF-Token for writes.
    httplib::Headers headers(bool write = false) const;
};

class ServedDesk {
public:
    ServedDesk();
    // serve with these options besides (e.g. --tls-cert F --tls-key F: then `https` is true).
    explicit ServedDesk(std::vector<std::string> extra, bool https = false);
    ~ServedDesk();
    ServedDesk(const ServedDesk&) = delete;
    ServedDesk& operator=(const ServedDesk&) = delete;

    const Helpdesk& desk() const { return m_desk; }
    int port() const { return m_port; }
    // A client of the server (https: one that accepts the test's self-signed certificate).
    httplib::Client client() const;
    const std::string& first_password() const { return m_first_password; }
    // What serve printed so far (stdout), and its log (stderr).
    std::string output() const;
    std::string log() const;
    // SIGTERM, then its exit code (128 + signal when a signal ended it).
    int stop();
    // SIGTERM only (stop() then waits for the exit).
    void terminate() const;

    // POST /api/session; the answer as it came.
    httplib::Result login(const std::string& login, const std::string& password) const;
    // The first admin, logged in and with its one-time password changed.
    WebSession admin();
    // A user made by the admin with this role, logged in, password changed.
    WebSession user(const std::string& login, const std::string& role);

    // JSON of an answer's body (discarded when it is none).
    static nlohmann::json json(const httplib::Result& result);

private:
    // Starts serve and reads its port and the one-time password (fails the test otherwise).
    void start();
    WebSession first_login(const std::string& login, const std::string& password,
                           const std::string& new_password);

    Helpdesk m_desk;
    std::vector<std::string> m_extra;
    bool m_https = false;
    pid_t m_pid = -1;
    int m_port = 0;
    std::string m_first_password;
    std::optional<WebSession> m_admin;
};

inline constexpr const char* kAdminPassword = "admin password 12345";

}  // namespace casecrypt::test
