// What tests/harness/dovecot.sh wrote for the `dovecot` CTest fixture: the ports of its four
// listeners, the CA that signs them, the password every user has, and where the Maildirs are.
// The directory comes from $CASECRYPT_TEST_DOVECOT_DIR. drop() puts a message into a user's
// Maildir the way a delivery agent does, so a test needs no SMTP; any user name logs in, so
// each test takes fresh addresses (unique_address) and sees only its own mail.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

namespace casecrypt::test {

struct DovecotServer {
    int imap_port = 0;   // offers STARTTLS
    int imaps_port = 0;  // TLS from the first byte
    int pop3_port = 0;   // offers STLS
    int pop3s_port = 0;  // TLS from the first byte
    std::filesystem::path ca_file;
    std::filesystem::path maildir;  // mail for user@domain lives in <maildir>/<domain>/<user>/
    std::string password;
    std::filesystem::path server_dir;  // the server's own directory (conf/dovecot.conf, log)

    // Empty when the fixture did not run (the test should fail with a message).
    static std::optional<DovecotServer> from_env();

    // imap://127.0.0.1:<port>/<folder> (the folder as given: percent-encode it yourself).
    std::string imap_url(const std::string& folder = "") const;
    std::string imaps_url(const std::string& folder = "") const;
    std::string pop3_url() const;
    std::string pop3s_url() const;

    // <maildir>/<domain>/<user>, or its Maildir++ subfolder "<...>/.<folder>".
    std::filesystem::path mailbox(const std::string& address, const std::string& folder = "") const;
    // Writes `bytes` into the mailbox as one new message: tmp/<unique> then rename into new/
    // (or into cur/ with ":2,<flags>" when `maildir_flags` is given, e.g. "T" for \Deleted),
    // owned by 65534 like Postfix's deliveries. Creates the Maildir as needed. Returns the file.
    std::filesystem::path drop(const std::string& address, const std::string& bytes,
                               const std::string& folder = "",
                               const std::string& maildir_flags = "") const;
    // Closes every IMAP and POP3 session of the user now, as a server restart or an idle
    // timeout would (doveadm kick); the server says "-ERR"/"* BYE" and closes. False on failure.
    bool kick(const std::string& address) const;
};

// An address at example.test that no other test (in this run of this binary) uses.
std::string unique_address(const std::string& tag);

}  // namespace casecrypt::test
