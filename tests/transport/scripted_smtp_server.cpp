#include "transport/scripted_smtp_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <stdexcept>

#include "core/base64.h"

namespace casecrypt::test {

namespace {

// A socket bound to 127.0.0.1 on a free port; returns the fd and sets `port`.
int bound_socket(int& port, int receive_buffer = 0) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        throw std::runtime_error("socket failed");
    }
    if (receive_buffer > 0) {  // inherited by accepted sockets; set before listen
        ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &receive_buffer, sizeof receive_buffer);
    }
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
        ::close(fd);
        throw std::runtime_error("bind failed");
    }
    port = ntohs(addr.sin_port);
    return fd;
}

void send_all(int fd, const std::string& text) {
    std::size_t sent = 0;
    while (sent < text.size()) {
        const ssize_t n = ::send(fd, text.data() + sent, text.size() - sent, MSG_NOSIGNAL);
        if (n <= 0) {
            return;
        }
        sent += static_cast<std::size_t>(n);
    }
}

bool starts_with_word(const std::string& line, const char* word) {
    const std::string w(word);
    if (line.size() < w.size()) {
        return false;
    }
    return std::equal(w.begin(), w.end(), line.begin(), [](char a, char b) {
        return a == std::toupper(static_cast<unsigned char>(b));
    });
}

}  // namespace

ScriptedSmtpServer::ScriptedSmtpServer(Script script) : m_script(script) {
    // A small receive buffer makes a client that keeps uploading stall soon.
    m_listen_fd = bound_socket(m_port, script.stall == Stall::reading_data ? 4096 : 0);
    ::listen(m_listen_fd, 4);
    m_thread = std::thread([this] { serve(); });
}

ScriptedSmtpServer::~ScriptedSmtpServer() {
    m_stop = true;
    m_thread.join();
    ::close(m_listen_fd);
}

std::vector<std::string> ScriptedSmtpServer::commands() const {
    std::lock_guard lock(m_mutex);
    return m_commands;
}

void ScriptedSmtpServer::serve() {
    while (!m_stop) {
        pollfd p{m_listen_fd, POLLIN, 0};
        if (::poll(&p, 1, 50) <= 0) {
            continue;
        }
        const int fd = ::accept4(m_listen_fd, nullptr, nullptr, SOCK_CLOEXEC);
        if (fd >= 0) {
            session(fd);
            ::close(fd);
        }
    }
}

void ScriptedSmtpServer::stall() {
    while (!m_stop) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
}

bool ScriptedSmtpServer::read_line(int fd, std::string& buffer, std::string& line) {
    for (;;) {
        const auto end = buffer.find("\r\n");
        if (end != std::string::npos) {
            line = buffer.substr(0, end);
            buffer.erase(0, end + 2);
            return true;
        }
        pollfd p{fd, POLLIN, 0};
        if (m_stop) {
            return false;
        }
        if (::poll(&p, 1, 50) <= 0) {
            continue;
        }
        char chunk[4096];
        const ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
        if (n <= 0) {
            return false;
        }
        buffer.append(chunk, static_cast<std::size_t>(n));
    }
}

void ScriptedSmtpServer::session(int fd) {
    std::string buffer, line;
    send_all(fd, "220 scripted ESMTP\r\n");
    while (read_line(fd, buffer, line)) {
        {
            std::lock_guard lock(m_mutex);
            m_commands.push_back(line);
        }
        if (starts_with_word(line, "EHLO")) {
            send_all(fd, m_script.offer_auth ? "250-scripted\r\n250 AUTH PLAIN\r\n"
                                             : "250 scripted\r\n");
        } else if (starts_with_word(line, "AUTH PLAIN")) {
            std::string credentials = line.size() > 11 ? line.substr(11) : std::string();
            if (credentials.empty()) {
                send_all(fd, "334 \r\n");
                if (!read_line(fd, buffer, credentials)) {
                    return;
                }
            }
            std::string decoded = base64_decode(credentials).value_or("?");
            std::replace(decoded.begin(), decoded.end(), '\0', ' ');
            send_all(fd, "535 5.7.8 rejected credentials:" + decoded + "\r\n");
        } else if (starts_with_word(line, "MAIL")) {
            if (m_script.stall == Stall::at_mail) {
                return stall();
            }
            send_all(fd, "250 2.1.0 ok\r\n");
        } else if (starts_with_word(line, "RCPT")) {
            send_all(fd, "250 2.1.5 ok\r\n");
        } else if (starts_with_word(line, "DATA")) {
            send_all(fd, "354 go ahead\r\n");
            if (m_script.stall == Stall::reading_data) {
                return stall();
            }
            std::string data_line;
            while (read_line(fd, buffer, data_line) && data_line != ".") {
            }
            if (m_script.stall == Stall::at_end_of_data) {
                return stall();
            }
            send_all(fd, "250 2.0.0 queued\r\n");
        } else if (starts_with_word(line, "QUIT")) {
            send_all(fd, "221 2.0.0 bye\r\n");
            return;
        } else {
            send_all(fd, "502 5.5.2 not scripted\r\n");
        }
    }
}

ClosedPort::ClosedPort() {
    m_fd = bound_socket(m_port);
}
ClosedPort::~ClosedPort() {
    ::close(m_fd);
}

SilentListener::SilentListener() {
    m_fd = bound_socket(m_port);
    ::listen(m_fd, 4);
}
SilentListener::~SilentListener() {
    ::close(m_fd);
}

}  // namespace casecrypt::test
