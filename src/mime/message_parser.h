// MessageParser: an RFC 5322 message (already decrypted, or never encrypted) read into what a
// ticket keeps of it: addresses, subject, date, the text and HTML bodies in UTF-8, and the
// attachments written out as files. GMime does the MIME work (charsets, RFC 2047, RFC 2231).
// Thread-compatible (no shared state besides GMime's and libxml2's one-time initialisation).
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/error.h"
#include "mime/mime_document.h"

namespace casecrypt::mime {

struct MailAddress {
    std::string name;     // decoded display name (UTF-8), may be empty
    std::string address;  // lower-cased addr-spec
    // "Name <address>" or just the address; the name quoted when it needs to be.
    std::string display() const;
};

struct AttachmentInfo {
    std::string name;            // RFC 2231 / RFC 2047 decoded, UTF-8, path components removed;
                                 // "attachment-N" (with an extension from the type) when absent
    std::string content_type;    // "application/pdf", lower-case
    std::uint64_t size = 0;      // decoded bytes
    std::string content_id;      // without <>, for inline images referenced as cid:
    bool is_inline = false;      // Content-Disposition: inline
    std::filesystem::path file;  // the decoded bytes, inside the directory given to parse
};

struct ParsedMessage {
    std::string message_id;               // without <>, may be empty
    std::string in_reply_to;              // without <>, may be empty
    std::vector<std::string> references;  // without <>, in order
    std::optional<MailAddress> from;
    std::vector<MailAddress> to, cc, reply_to;
    std::string subject;            // decoded UTF-8
    std::optional<TimePoint> date;  // from the Date header, when parseable
    // Auto-Submitted (RFC 3834) and Precedence, lower-cased and trimmed; empty when absent.
    std::string auto_submitted;
    std::string precedence;
    std::optional<std::string> text;  // text/plain body in UTF-8 (from its charset)
    std::optional<std::string> html;  // text/html body in UTF-8, AS RECEIVED (not sanitised)
    std::vector<AttachmentInfo> attachments;
    // As read_summary gives them (To, Cc, Delivered-To, ... lower-cased, each once).
    std::vector<std::string> recipients;
    bool has_header = true;  // false: not one header field (read_summary refuses such a file)
    // With stop_at_smime: the mail is S/MIME (MimeDocument::layout() would not be none); only
    // the header fields above are filled, no body read, nothing written.
    bool smime = false;
    // With smime: this parse as a MimeDocument, for the S/MIME engine, so that the mail is not
    // parsed a second time before it is decrypted. Null for a file that starts with an mbox
    // "From " line: the engine reads those in mbox format, so it parses them itself.
    std::shared_ptr<MimeDocument> document;
};

// What is needed of a message before it is opened (for matching and for email backups): the
// outer header fields only, so it also works on an encrypted message.
struct MessageSummary {
    std::string subject;  // decoded UTF-8
    std::string from;     // MailAddress::display() of the first From mailbox, or ""
    std::string from_address;
    std::string message_id;
    std::optional<TimePoint> date;
    // Addresses of To, Cc, Delivered-To, X-Original-To, Resent-To, Envelope-To (in that order
    // of fields), lower-cased, each once.
    std::vector<std::string> recipients;
};

// How much structure a mail from a stranger may have (cmas-nimh / mailbox.default.task.max.parts
// and .max.depth): every part costs a file and a row, and a tree is walked recursively.
struct ParseLimits {
    int max_parts = 1000;  // MIME entities (multiparts, leaves, message/rfc822 parts) in all
    int max_depth = 32;    // nesting of multiparts and message/rfc822 parts
    // What the caller calls each limit (e.g. a property's name), for the error sentence.
    std::string parts_name;
    std::string depth_name;
};

// Parses `message` (a file). Bodies: the first text/plain and the first text/html that are not
// attachments (multipart/alternative, mixed, related, nested), converted to UTF-8 from their
// declared charset (unknown, missing or us-ascii charset: UTF-8 if valid, else Windows-1252;
// ISO-8859-1 is read as Windows-1252 like browsers do; invalid sequences become U+FFFD),
// transfer encodings (quoted-printable, base64, 7bit/8bit) undone, CRLF turned into LF. A text
// part over 16 MiB is not inlined: it is an attachment. Every other leaf part, and text parts
// marked as attachment, is an attachment written into `attachment_dir` (which must exist) under
// a generated file name ("part-N", created exclusively: nothing there is overwritten); the
// message file is read through a persistent stream, so a large attachment is decoded from it
// into its file without passing through memory. A message/rfc822 part is one attachment (name
// from its subject + .eml). A truncated message gives what arrived. On an error, files already
// written stay in `attachment_dir` (the caller's directory; a ScratchDir is the usual choice).
// Errc::rejected when the file is not a message GMime can parse, or when it has more parts or
// deeper nesting than `limits` allow (checked before anything is written); Errc::io when it
// cannot be read or an attachment cannot be written. Attachment files are written but not
// fsync'd: they are scratch copies, the database holds what is kept.
// With `stop_at_smime`, a mail with S/MIME parts is not read further (see ParsedMessage::smime),
// so that a plain mail is parsed once and an encrypted one is left to the S/MIME engine.
Result<ParsedMessage> parse_message(const std::filesystem::path& message,
                                    const std::filesystem::path& attachment_dir,
                                    const ParseLimits& limits = {}, bool stop_at_smime = false);

// Reads only the header of `message` (up to the first empty line, at most 1 MiB; an mbox
// "From " line is skipped); the body is never read. Errc::rejected when it has no header at all.
Result<MessageSummary> read_summary(const std::filesystem::path& message);

// The recipient addresses among header fields (e.g. MimeDocument::headers()) as read_summary
// gives them: To, Cc, Delivered-To, X-Original-To, Resent-To, Envelope-To (in that order of
// fields), lower-cased, each once. For a message already parsed, so its header is not read a
// second time.
std::vector<std::string> recipient_addresses(const std::vector<HeaderField>& headers);

// HTML from a stranger made safe to show in our web client: only a whitelist of formatting
// elements and attributes survives; script, style, iframe, object, embed, form, base, meta,
// link and the like go with their content; on* attributes, javascript:/vbscript:/data: URLs
// (except data:image/png|gif|jpeg|webp in img src) go; links keep http, https, mailto; remote
// images are dropped (privacy), cid: images stay; links get rel="noopener noreferrer" and
// target="_blank"; unknown elements are unwrapped (their content stays). Returns a UTF-8 HTML
// fragment (body content); invalid UTF-8 in `html` becomes U+FFFD. Implemented with libxml2's
// HTML parser in html_sanitizer.cpp. Thread-safe.
std::string sanitize_html(std::string_view html);

}  // namespace casecrypt::mime
