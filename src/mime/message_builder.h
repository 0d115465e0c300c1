// Building a new RFC 5322 message with GMime: encoded-words for non-ASCII subjects and names
// (RFC 2047), attachments with RFC 2231 file names, a Message-ID and a Date. Bcc is never
// written into the message: who gets a blind copy is the envelope's business.
// Thread-safe (each call owns its GMime objects).
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/error.h"
#include "mime/mime_document.h"

namespace casecrypt::mime {

struct NewMessage {
    std::string from;  // "Name <addr>" or "addr"
    std::vector<std::string> to;
    std::vector<std::string> cc;
    std::vector<std::string> reply_to;  // none: no Reply-To field
    std::string subject;                // UTF-8
    std::string text;                   // UTF-8 plain text
    std::optional<std::string> html;
    std::vector<std::filesystem::path> attachments;  // named by their file names
    // Parallel to `attachments` (or shorter): each one's "type/subtype"; missing or empty:
    // guessed from the file name. Errc::rejected for a value that is no type/subtype.
    std::vector<std::string> attachment_types;
    std::string message_id;  // without angle brackets
    TimePoint date{};
    // A reply's threading (RFC 5322 section 3.6.4), ids without angle brackets: In-Reply-To
    // names the parent, References the parent's References and the parent. Empty: not written.
    std::string in_reply_to;
    std::vector<std::string> references;
    std::vector<HeaderField> extra;  // further header fields, written as given
};

// Errc::io when an attachment cannot be read (naming it) or the file cannot be written.
Result<void> build_message(const NewMessage& message, const std::filesystem::path& out);

// "<random>@<domain of from>" without angle brackets.
std::string make_message_id(const std::string& from_address);

// The bare addresses of an address list ("A <a@x>, b@y" -> {"a@x", "b@y"}), lower-cased, read
// strictly (parse_mailboxes); Errc::rejected naming the entry that is not an address.
Result<std::vector<std::string>> parse_addresses(const std::string& list);

}  // namespace casecrypt::mime
