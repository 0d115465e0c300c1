#include "transport/dovecot_server.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <stdexcept>

namespace casecrypt::test {

namespace {

constexpr uid_t kMailUid = 65534;  // the Maildirs' owner (harness: userdb static uid/gid)
constexpr gid_t kMailGid = 65534;

std::string first_line(const std::filesystem::path& file) {
    std::ifstream in(file);
    std::string line;
    std::getline(in, line);
    return line;
}

// mkdir -p, with what it creates owned by the mail user so Dovecot can write there.
void make_mail_directory(const std::filesystem::path& dir) {
    if (std::filesystem::is_directory(dir)) {
        return;
    }
    make_mail_directory(dir.parent_path());
    if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
        throw std::runtime_error("cannot create " + dir.string());
    }
    if (::chown(dir.c_str(), kMailUid, kMailGid) != 0) {
        throw std::runtime_error("cannot chown " + dir.string());
    }
}

}  // namespace

std::optional<DovecotServer> DovecotServer::from_env() {
    const char* dir = std::getenv("CASECRYPT_TEST_DOVECOT_DIR");
    if (dir == nullptr) {
        return std::nullopt;
    }
    const std::filesystem::path base(dir);
    DovecotServer server;
    try {
        server.imap_port = std::stoi(first_line(base / "imap_port"));
        server.imaps_port = std::stoi(first_line(base / "imaps_port"));
        server.pop3_port = std::stoi(first_line(base / "pop3_port"));
        server.pop3s_port = std::stoi(first_line(base / "pop3s_port"));
    } catch (const std::exception&) {
        return std::nullopt;
    }
    server.ca_file = base / "ca.pem";
    server.maildir = first_line(base / "maildir");
    server.password = first_line(base / "password");
    server.server_dir = first_line(base / "server");
    return server;
}

std::string DovecotServer::imap_url(const std::string& folder) const {
    return "imap://127.0.0.1:" + std::to_string(imap_port) + "/" + folder;
}

std::string DovecotServer::imaps_url(const std::string& folder) const {
    return "imaps://127.0.0.1:" + std::to_string(imaps_port) + "/" + folder;
}

std::string DovecotServer::pop3_url() const {
    return "pop3://127.0.0.1:" + std::to_string(pop3_port) + "/";
}

std::string DovecotServer::pop3s_url() const {
    return "pop3s://127.0.0.1:" + std::to_string(pop3s_port) + "/";
}

std::filesystem::path DovecotServer::mailbox(const std::string& address,
                                             const std::string& folder) const {
    const auto at = address.find('@');
    const std::filesystem::path box = maildir / address.substr(at + 1) / address.substr(0, at);
    return folder.empty() ? box : box / ("." + folder);
}

std::filesystem::path DovecotServer::drop(const std::string& address, const std::string& bytes,
                                          const std::string& folder,
                                          const std::string& maildir_flags) const {
    static std::atomic<int> counter{0};
    const std::filesystem::path box = mailbox(address, folder);
    for (const char* sub : {"tmp", "new", "cur"}) {
        make_mail_directory(box / sub);
    }
    // The Maildir way (maildir(5)): a name unique to this host, process and moment.
    const auto now = std::chrono::system_clock::now().time_since_epoch();
    const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(now).count();
    const std::string unique = std::to_string(micros / 1000000) + ".M" +
                               std::to_string(micros % 1000000) + "P" + std::to_string(::getpid()) +
                               "Q" + std::to_string(++counter) + ".casecrypt-test";
    const std::filesystem::path temp = box / "tmp" / unique;
    {
        std::ofstream out(temp, std::ios::binary);
        out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
        if (!out.flush()) {
            throw std::runtime_error("cannot write " + temp.string());
        }
    }
    if (::chown(temp.c_str(), kMailUid, kMailGid) != 0) {
        throw std::runtime_error("cannot chown " + temp.string());
    }
    const std::filesystem::path final_path = maildir_flags.empty()
                                                 ? box / "new" / unique
                                                 : box / "cur" / (unique + ":2," + maildir_flags);
    std::filesystem::rename(temp, final_path);
    return final_path;
}

bool DovecotServer::kick(const std::string& address) const {
    // Test-made paths and addresses: no shell metacharacters to quote.
    const std::string command = "doveadm -c '" + (server_dir / "conf" / "dovecot.conf").string() +
                                "' kick '" + address + "' >/dev/null";
    return std::system(command.c_str()) == 0;
}

std::string unique_address(const std::string& tag) {
    static std::atomic<int> counter{0};
    return tag + "-" + std::to_string(::getpid()) + "-" + std::to_string(++counter) +
           "@example.test";
}

}  // namespace casecrypt::test
