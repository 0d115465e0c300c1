#include "transport/postfix_server.h"

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

namespace casecrypt::test {

namespace {

std::string first_line(const std::filesystem::path& file) {
    std::ifstream in(file);
    std::string line;
    std::getline(in, line);
    return line;
}

std::string slurp(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

}  // namespace

std::optional<PostfixServer> PostfixServer::from_env() {
    const char* dir = std::getenv("CASECRYPT_TEST_POSTFIX_DIR");
    if (dir == nullptr) {
        return std::nullopt;
    }
    const std::filesystem::path base(dir);
    PostfixServer server;
    try {
        server.port = std::stoi(first_line(base / "port"));
        server.starttls_port = std::stoi(first_line(base / "starttls_port"));
        server.smtps_port = std::stoi(first_line(base / "smtps_port"));
    } catch (const std::exception&) {
        return std::nullopt;
    }
    server.ca_file = base / "ca.pem";
    server.maildir = first_line(base / "maildir");
    return server;
}

std::string PostfixServer::smtp_url(int which_port) const {
    return (which_port == smtps_port ? "smtps://127.0.0.1:" : "smtp://127.0.0.1:") +
           std::to_string(which_port);
}

std::filesystem::path PostfixServer::mailbox(const std::string& address) const {
    const auto at = address.find('@');
    const std::string user = address.substr(0, at);
    const std::string domain = address.substr(at + 1);
    static const char* const kKnown[] = {"support", "helpdesk", "alice", "bob", "carol", "nocert"};
    bool known = false;
    for (const char* k : kKnown) {
        known = known || user == k;
    }
    return maildir / domain / (known ? user : std::string("catchall")) / "new";
}

std::vector<std::string> PostfixServer::mails_containing(const std::string& address,
                                                         const std::string& needle) const {
    std::vector<std::string> found;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(mailbox(address), ec)) {
        std::string text = slurp(entry.path());
        if (text.find(needle) != std::string::npos) {
            found.push_back(std::move(text));
        }
    }
    return found;
}

std::optional<std::string> PostfixServer::wait_for_mail(const std::string& address,
                                                        const std::string& needle,
                                                        std::chrono::milliseconds timeout) const {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    do {
        auto found = mails_containing(address, needle);
        if (!found.empty()) {
            return found.front();
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    } while (std::chrono::steady_clock::now() < deadline);
    return std::nullopt;
}

std::string unique_message_id(const std::string& tag) {
    static std::atomic<int> counter{0};
    const auto now = std::chrono::system_clock::now().time_since_epoch().count();
    return "<" + tag + "." + std::to_string(::getpid()) + "." + std::to_string(now) + "." +
           std::to_string(++counter) + "@casecrypt.test>";
}

}  // namespace casecrypt::test
