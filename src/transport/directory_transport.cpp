#include "transport/directory_transport.h"

#include <string>
#include <system_error>

#include "transport/atomic_file.h"
#include "transport/envelope_check.h"

namespace casecrypt::transport {

namespace {

// The name becomes a file name in the directory: no path separator, no way up, no hidden
// name (temp files start with '.'), nothing a shell or a line-based reader would trip on.
bool usable_name(const std::string& name) {
    if (name.empty() || name.front() == '.' || name.find("..") != std::string::npos) {
        return false;
    }
    for (const char c : name) {
        const auto u = static_cast<unsigned char>(c);
        if (c == '/' || u < 0x20 || u == 0x7f) {
            return false;
        }
    }
    return true;
}

std::string envelope_text(const Envelope& envelope) {
    std::string text = envelope.from + "\n";
    for (const std::string& recipient : envelope.recipients) {
        text += recipient + "\n";
    }
    return text;
}

DeliveryResult temporary(const Error& error) {
    return {DeliveryStatus::temporary_failure, "not written: " + error.message()};
}

}  // namespace

DeliveryResult DirectoryTransport::deliver(const Envelope& envelope,
                                           const std::filesystem::path& message) {
    if (!usable_name(envelope.name)) {
        return {DeliveryStatus::permanent_failure,
                "not written: the message name is empty, starts with '.', or holds '/', '..' "
                "or a control character"};
    }
    if (auto ok = check_envelope(envelope); !ok) {
        return {DeliveryStatus::permanent_failure, "not written: " + ok.error().message()};
    }
    std::error_code ec;
    std::filesystem::create_directories(m_dir, ec);
    if (ec) {
        return temporary(Error(Errc::io, "cannot create " + m_dir.string() + ": " + ec.message()));
    }
    const std::filesystem::path eml = m_dir / (envelope.name + ".eml");
    const std::filesystem::path env = m_dir / (envelope.name + ".envelope");

    // The message is copied first, so a missing or unreadable file leaves nothing behind; the
    // envelope is committed before the .eml so that a reader never finds an .eml without it.
    auto body = AtomicFile::create(eml);
    if (!body) {
        return temporary(body.error());
    }
    if (auto ok = body->copy_from(message); !ok) {
        return temporary(ok.error());
    }
    auto head = AtomicFile::create(env);
    if (!head) {
        return temporary(head.error());
    }
    if (auto ok = head->write(envelope_text(envelope)); !ok) {
        return temporary(ok.error());
    }
    if (auto ok = head->commit(); !ok) {
        return temporary(ok.error());
    }
    if (auto ok = body->commit(); !ok) {
        return temporary(ok.error());
    }
    return {DeliveryStatus::delivered, "written to " + eml.string()};
}

std::unique_ptr<MailTransport> make_directory_transport(std::filesystem::path dir) {
    return std::make_unique<DirectoryTransport>(std::move(dir));
}

}  // namespace casecrypt::transport
