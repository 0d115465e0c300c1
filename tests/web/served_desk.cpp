#include "web/served_desk.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <regex>
#include <thread>

extern char** environ;

namespace casecrypt::test {

httplib::Headers WebSession::headers(bool write) const {
    httplib::Headers h{{"Cookie", cookie}};
    if (write)
        h.emplace("X-CSRF-Token", csrf);
    return h;
}

ServedDesk::ServedDesk() {
    start();
}

ServedDesk::ServedDesk(std::vector<std::string> extra, bool https)
    : m_extra(std::move(extra)), m_https(https) {
    start();
}

void ServedDesk::start() {
    // The client writes without MSG_NOSIGNAL too: a server that refuses a body and closes (411)
    // must fail the write, not end the test binary.
    std::signal(SIGPIPE, SIG_IGN);
    const std::string bin = casecrypt_binary();
    const auto dir = std::filesystem::path(m_desk.data()).parent_path();
    const std::string out = (dir / "serve.out").string();
    const std::string log = (dir / "serve.log").string();
    m_pid = ::fork();
    if (m_pid == 0) {
        const int o = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        const int e = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        ::dup2(o, 1);
        ::dup2(e, 2);
        std::vector<const char*> argv = {bin.c_str(), "--data-dir", m_desk.data().c_str(), "serve",
                                         "--no-poll", "--listen",   "127.0.0.1:0"};
        for (const auto& e : m_extra)
            argv.push_back(e.c_str());
        argv.push_back(nullptr);
        ::execve(bin.c_str(), const_cast<char**>(argv.data()), environ);
        ::_exit(127);
    }
    // serve's output says where it listens and the one-time password.
    static const std::regex url(R"(web server at https?://127\.0\.0\.1:(\d+)/)");
    static const std::regex password(R"(one-time password (\S+) \(change it)");
    std::string seen;
    std::smatch match;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (std::chrono::steady_clock::now() < deadline) {
        seen = slurp(out);
        if (std::regex_search(seen, match, password)) {
            m_first_password = match[1].str();
            break;
        }
        if (::waitpid(m_pid, nullptr, WNOHANG) == m_pid) {
            m_pid = -1;
            break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    if (std::regex_search(seen, match, url))
        m_port = std::stoi(match[1].str());
    ASSERT_GT(m_port, 0) << "serve did not start: " << seen << "\n" << slurp(log);
    ASSERT_FALSE(m_first_password.empty()) << seen;
}

std::string ServedDesk::output() const {
    return slurp(std::filesystem::path(m_desk.data()).parent_path() / "serve.out");
}

std::string ServedDesk::log() const {
    return slurp(std::filesystem::path(m_desk.data()).parent_path() / "serve.log");
}

void ServedDesk::terminate() const {
    if (m_pid > 0)
        ::kill(m_pid, SIGTERM);
}

int ServedDesk::stop() {
    return stop_process(m_pid);
}

ServedDesk::~ServedDesk() {
    stop();
}

httplib::Client ServedDesk::client() const {
    httplib::Client c((m_https ? "https://127.0.0.1:" : "http://127.0.0.1:") +
                      std::to_string(m_port));
    c.enable_server_certificate_verification(false);
    c.set_read_timeout(60);
    c.set_write_timeout(60);
    return c;
}

nlohmann::json ServedDesk::json(const httplib::Result& result) {
    if (!result)
        return nlohmann::json();
    return nlohmann::json::parse(result->body, nullptr, false);
}

httplib::Result ServedDesk::login(const std::string& login, const std::string& password) const {
    return client().Post("/api/session",
                         nlohmann::json{{"login", login}, {"password", password}}.dump(),
                         "application/json");
}

WebSession ServedDesk::first_login(const std::string& login, const std::string& password,
                                   const std::string& new_password) {
    WebSession s;
    s.login = login;
    auto r = this->login(login, password);
    EXPECT_TRUE(r) << "no answer";
    if (!r)
        return s;
    EXPECT_EQ(r->status, 200) << r->body;
    const std::string set_cookie = r->get_header_value("Set-Cookie");
    s.cookie = set_cookie.substr(0, set_cookie.find(';'));
    const auto body = json(r);
    s.csrf = body.value("csrf_token", "");
    EXPECT_TRUE(body.value("must_change_password", false)) << r->body;
    auto changed =
        client().Put("/api/session/password", s.headers(true),
                     nlohmann::json{{"new_password", new_password}}.dump(), "application/json");
    EXPECT_TRUE(changed);
    if (changed) {
        EXPECT_EQ(changed->status, 200) << changed->body;
        s.csrf = json(changed).value("csrf_token", s.csrf);
    }
    return s;
}

WebSession ServedDesk::admin() {
    if (!m_admin)
        m_admin = first_login("admin", m_first_password, kAdminPassword);
    return *m_admin;
}

WebSession ServedDesk::user(const std::string& login, const std::string& role) {
    const auto a = admin();
    const std::string password = login + " first password";
    auto r = client().Post(
        "/api/users", a.headers(true),
        nlohmann::json{{"login", login}, {"role", role}, {"password", password}}.dump(),
        "application/json");
    EXPECT_TRUE(r);
    if (r) {
        EXPECT_EQ(r->status, 201) << r->body;
    }
    return first_login(login, password, login + " own password 1");
}

}  // namespace casecrypt::test
