// ScriptedSmtpServer: a fake SMTP server on 127.0.0.1 for the faults a real Postfix will not
// produce on demand (DESIGN.md: mocks only there): going silent at a chosen point of the
// dialogue, no longer reading during DATA, and offering AUTH and then echoing the decoded
// credentials in its refusal. Serves one connection at a time on its own thread until
// destroyed. Its accessors are thread-safe.
#pragma once

#include <atomic>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace casecrypt::test {

class ScriptedSmtpServer {
public:
    enum class Stall {
        never,
        at_mail,         // no reply to MAIL FROM
        reading_data,    // 354 to DATA, then reads nothing more
        at_end_of_data,  // reads the whole message, no reply to the final "."
    };
    struct Script {
        Stall stall = Stall::never;
        bool offer_auth = false;  // EHLO advertises AUTH PLAIN; AUTH gets a 535 echoing it
    };

    explicit ScriptedSmtpServer(Script script);
    ~ScriptedSmtpServer();
    ScriptedSmtpServer(const ScriptedSmtpServer&) = delete;
    ScriptedSmtpServer& operator=(const ScriptedSmtpServer&) = delete;

    int port() const { return m_port; }
    // The command lines received so far (message content excluded).
    std::vector<std::string> commands() const;

private:
    void serve();
    void session(int fd);
    bool read_line(int fd, std::string& buffer, std::string& line);
    void stall();

    Script m_script;
    int m_listen_fd = -1;
    int m_port = 0;
    std::atomic<bool> m_stop{false};
    mutable std::mutex m_mutex;
    std::vector<std::string> m_commands;
    std::thread m_thread;
};

// A port with a socket bound but not listening: connecting is refused at once.
class ClosedPort {
public:
    ClosedPort();
    ~ClosedPort();
    ClosedPort(const ClosedPort&) = delete;
    ClosedPort& operator=(const ClosedPort&) = delete;
    int port() const { return m_port; }

private:
    int m_fd = -1;
    int m_port = 0;
};

// A listening socket nobody accepts on: the kernel completes the TCP handshake, then nothing
// is ever said, like a hung server.
class SilentListener {
public:
    SilentListener();
    ~SilentListener();
    SilentListener(const SilentListener&) = delete;
    SilentListener& operator=(const SilentListener&) = delete;
    int port() const { return m_port; }

private:
    int m_fd = -1;
    int m_port = 0;
};

}  // namespace casecrypt::test
