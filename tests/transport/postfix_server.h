// What tests/harness/postfix.sh wrote for the `postfix` CTest fixture: ports, the CA that
// signs the TLS listeners, and where delivered mail lands. The directory comes from
// $CASECRYPT_TEST_POSTFIX_DIR. Postfix delivers asynchronously after its 250, so tests wait for
// the message to appear in the Maildir.
#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace casecrypt::test {

struct PostfixServer {
    int port = 0;           // no TLS offered
    int starttls_port = 0;  // offers STARTTLS
    int smtps_port = 0;     // TLS from the first byte
    std::filesystem::path ca_file;
    std::filesystem::path maildir;

    // Empty when the fixture did not run (the test should fail with a message).
    static std::optional<PostfixServer> from_env();

    std::string smtp_url(int which_port) const;
    // <maildir>/<domain>/<user>/new, or the customer.test catch-all for unknown users there.
    std::filesystem::path mailbox(const std::string& address) const;
    // Every delivered mail for `address` that contains `needle`.
    std::vector<std::string> mails_containing(const std::string& address,
                                              const std::string& needle) const;
    // Waits until one mail for `address` contains `needle`.
    std::optional<std::string> wait_for_mail(
        const std::string& address, const std::string& needle,
        std::chrono::milliseconds timeout = std::chrono::seconds(15)) const;
};

// A Message-ID no other test (or earlier run against the same server) uses.
std::string unique_message_id(const std::string& tag);

}  // namespace casecrypt::test
