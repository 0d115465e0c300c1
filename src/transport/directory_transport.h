// DirectoryTransport: MailTransport that drops each message into a directory, the embedded
// default when no mail server is configured. Behaviour is documented at
// make_directory_transport in mail_transport.h.
//
// Atomic by construction: each file is written under a hidden unique temp name in the same
// directory, fsynced, then renamed, and the directory is fsynced, so a reader sees a whole file
// or none and a crash does not lose an accepted message. Several transports (threads,
// processes) may share a directory as long as they deliver different names.
#pragma once

#include "transport/mail_transport.h"

namespace casecrypt::transport {

class DirectoryTransport final : public MailTransport {
public:
    explicit DirectoryTransport(std::filesystem::path dir) : m_dir(std::move(dir)) {}

    DeliveryResult deliver(const Envelope& envelope, const std::filesystem::path& message) override;

private:
    std::filesystem::path m_dir;
};

}  // namespace casecrypt::transport
