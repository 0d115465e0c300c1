// MimeDocument: a message or MIME entity parsed by GMime from a file, for the S/MIME engine.
//
// The file is parsed with a persistent stream, so bodies stay in the file and large messages
// cost little memory. The document answers what S/MIME needs: the header fields, where the
// S/MIME parts are (RFC 8551 section 3), the decoded bytes of a part, the text for reports,
// and writes entities and messages back out. Not thread-safe; one per thread.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/error.h"

// GMime's types, only named for the friend below (mime/smime_parts.h uses them).
struct _GMimeStream;
struct _GMimeMessage;
struct _GMimeParserOptions;

namespace casecrypt::mime {

struct HeaderField {
    std::string name;
    std::string raw_value;  // as in the message after the colon (folding kept), no final newline
};

enum class PartKind {
    enveloped,         // application/(x-)pkcs7-mime enveloped/authEnveloped, or a .p7m octet-stream
    signed_multipart,  // multipart/signed with protocol application/(x-)pkcs7-signature
    foreign_signed,    // multipart/signed of another protocol (OpenPGP): not ours to check
    signed_opaque,     // application/(x-)pkcs7-mime; smime-type=signed-data
    plain,             // anything else
};

struct PartInfo {
    int index = 0;  // -1 for the document's own body; else the child index of a multipart
    PartKind kind = PartKind::plain;
    std::string content_type;  // "text/plain"
};

// Where the S/MIME parts of a document are.
enum class Layout {
    none,                // no S/MIME part
    whole,               // the body is one S/MIME part
    only_part_of_mixed,  // the body is a multipart/mixed whose only part is S/MIME
    mixed_with_plain,    // encrypted parts beside plain ones, or several (the EFAIL pattern)
};

class MimeDocument {
public:
    // Parses an RFC 5322 message (message = true) or a bare MIME entity (false).
    static Result<MimeDocument> parse_file(const std::filesystem::path& path, bool message);
    ~MimeDocument();
    MimeDocument(MimeDocument&&) noexcept;
    MimeDocument& operator=(MimeDocument&&) noexcept;

    // All header fields in order: for a message the message's own and its body's Content-*.
    std::vector<HeaderField> headers() const;
    // The first mailbox address of From, lower-cased, or empty.
    std::string from_address() const;

    Layout layout() const;
    // Whether the file began with an mbox "From " line (a message saved from a mailbox file).
    bool is_mbox() const;
    PartKind body_kind() const;
    std::vector<PartInfo> parts() const;  // the children of a multipart body, else the body

    // Writes the transfer-decoded content of a part (index as in PartInfo) to `out`.
    Result<void> write_decoded(int index, const std::filesystem::path& out) const;
    // Writes the body entity (Content-* headers and content) in canonical CRLF form into a
    // file descriptor the caller owns and closes (e.g. a pipe's write end).
    Result<void> write_body_entity_canonical(int fd) const;
    // Writes the body entity with only its Content-* header fields (the others are protected
    // header fields of RFC 9788, which go to the message header), LF line ends.
    Result<void> write_body_entity_content_only(const std::filesystem::path& out) const;
    // Writes one part (index as in PartInfo) as an entity, LF line ends.
    Result<void> write_part(int index, const std::filesystem::path& out) const;

    // The text of the first text/plain (else text/html) part in UTF-8, or nothing; parts over
    // 16 MiB are left out (the message itself carries them).
    std::optional<std::string> text() const;

private:
    struct Impl;
    explicit MimeDocument(std::unique_ptr<Impl> impl);
    friend MimeDocument adopt_message(_GMimeStream* stream, _GMimeMessage* message,
                                      _GMimeParserOptions* options);
    std::unique_ptr<Impl> m_impl;
};

// How many whole files this process has parsed (MimeDocument::parse_file and parse_message;
// not read_summary, which reads a header only): tests prove with it that a mail is parsed once
// for its summary and once after decryption.
std::uint64_t parse_count();

// Writes `headers` (each "Name:raw_value"), then the entity file's bytes with CRLF turned into
// LF, into `out` (created or truncated).
Result<void> write_message(const std::filesystem::path& out,
                           const std::vector<HeaderField>& headers,
                           const std::filesystem::path& entity);

// Decodes RFC 2047 encoded-words of an unstructured header value (e.g. Subject) to UTF-8.
std::string decode_header_text(const std::string& raw_value);

// True for header names that belong to the MIME entity (Content-*) or to MIME itself.
bool is_entity_header(const std::string& name);

}  // namespace casecrypt::mime
