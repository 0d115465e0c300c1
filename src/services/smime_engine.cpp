#include "services/smime_engine.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <deque>
#include <fstream>
#include <thread>

#include "core/scratch_dir.h"
#include "core/text.h"
#include "core/unique_fd.h"
#include "mime/mime_document.h"

namespace casecrypt::services {
namespace {

using mime::HeaderField;
using mime::MimeDocument;
using mime::PartKind;

using casecrypt::to_lower_ascii;

std::string lower(std::string_view text) {
    return to_lower_ascii(text);
}

std::vector<HeaderField> message_headers(const std::vector<HeaderField>& all) {
    std::vector<HeaderField> out;
    for (const auto& field : all) {
        if (!mime::is_entity_header(field.name)) {
            out.push_back(field);
        }
    }
    return out;
}

std::string header_value(const std::vector<HeaderField>& fields, const std::string& name) {
    for (const auto& field : fields) {
        if (lower(field.name) == lower(name)) {
            return mime::decode_header_text(field.raw_value);
        }
    }
    return {};
}

// RFC 9788: header fields inside the encrypted entity are the real ones; they replace the
// outer fields of the same name, and are added when the outside lacks them.
std::vector<HeaderField> apply_protected(std::vector<HeaderField> outer,
                                         const std::vector<HeaderField>& inner, bool& applied) {
    for (const auto& field : message_headers(inner)) {
        applied = true;
        std::erase_if(outer,
                      [&](const HeaderField& f) { return lower(f.name) == lower(field.name); });
        outer.push_back(field);
    }
    return outer;
}

SignatureInfo to_info(const crypto::SignatureReport& report, const std::string& from) {
    SignatureInfo info;
    info.valid = report.valid;
    info.trusted = report.trusted;
    info.problem = report.problem;
    if (report.signer) {
        const auto& addresses = report.signer->addresses();
        info.signer = addresses.empty() ? report.signer->subject() : addresses.front();
        info.signer_subject = report.signer->subject();
        info.signer_sha256 = report.signer->fingerprint_sha256();
        info.matches_from =
            !from.empty() && std::find(addresses.begin(), addresses.end(), from) != addresses.end();
    }
    return info;
}

}  // namespace

Result<void> SmimeEngine::encrypt(const std::filesystem::path& message,
                                  const std::vector<crypto::Certificate>& recipients,
                                  const crypto::EncryptOptions& options,
                                  const std::filesystem::path& out) {
    auto scratch = ScratchDir::create(m_work_dir);
    if (!scratch) {
        return std::unexpected(scratch.error());
    }
    auto document = MimeDocument::parse_file(message, true);
    if (!document) {
        return std::unexpected(document.error());
    }

    const bool gcm = options.cipher == crypto::ContentCipher::aes256_gcm;
    {
        std::ofstream head(out, std::ios::binary | std::ios::trunc);
        if (!head) {
            return fail(Errc::io, "cannot write " + out.string());
        }
        for (const auto& field : message_headers(document->headers())) {
            if (lower(field.name) != "bcc") {  // Bcc must never reach the other recipients
                head << field.name << ":" << field.raw_value << "\n";
            }
        }
        // RFC 8551 section 3.3 (enveloped-data) and RFC 5083 (authEnveloped-data).
        head << "MIME-Version: 1.0\n"
             << "Content-Type: application/pkcs7-mime; smime-type="
             << (gcm ? "authEnveloped-data" : "enveloped-data") << "; name=\"smime.p7m\"\n"
             << "Content-Transfer-Encoding: base64\n"
             << "Content-Disposition: attachment; filename=\"smime.p7m\"\n\n";
        if (!head.flush()) {
            return fail(Errc::io, "cannot write " + out.string());
        }
    }
    // One pass: GMime writes the canonical entity into a pipe on its own thread while OpenSSL
    // streams it into the envelope, so the plaintext never touches the disk and each byte is
    // read once (RFC 8551 section 3.1.1 canonical form comes from GMime's unix2dos filter).
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) {
        return fail(Errc::io, std::string("cannot make a pipe: ") + std::strerror(errno));
    }
    UniqueFd read_end(fds[0]);
    UniqueFd write_end(fds[1]);
    const std::filesystem::path reader = "/proc/self/fd/" + std::to_string(read_end.get());
    Result<void> written;
    std::thread producer([&] {
        written = document->write_body_entity_canonical(write_end.get());
        write_end.reset();  // end of the entity for the reader
    });
    auto encrypted = crypto::encrypt_file(reader, recipients, options, out);
    read_end.reset();  // a producer still writing gets EPIPE (SIGPIPE is ignored) and stops
    producer.join();
    if (!encrypted) {
        return encrypted;
    }
    return written;
}

Result<void> SmimeEngine::check_size(const std::filesystem::path& message) const {
    std::error_code ec;
    const auto size = std::filesystem::file_size(message, ec);
    if (ec) {
        return fail(Errc::io, "cannot read " + message.string() + ": " + ec.message());
    }
    if (size > m_limits.max_message_bytes) {
        return fail(Errc::rejected, "the message is " + std::to_string(size) +
                                        " bytes, larger than the limit of " +
                                        std::to_string(m_limits.max_message_bytes));
    }
    return {};
}

Result<DecryptReport> SmimeEngine::decrypt(
    const std::filesystem::path& message, const std::vector<crypto::DecryptionIdentity>& identities,
    const crypto::TrustAnchors& anchors, const std::filesystem::path& out) {
    // The size first: a message over the limit is not parsed at all.
    if (auto fits = check_size(message); !fits) {
        return std::unexpected(fits.error());
    }
    auto document = MimeDocument::parse_file(message, true);
    if (!document) {
        return std::unexpected(document.error());
    }
    return decrypt(message, *document, identities, anchors, out);
}

Result<DecryptReport> SmimeEngine::decrypt(
    const std::filesystem::path& message, const MimeDocument& parsed,
    const std::vector<crypto::DecryptionIdentity>& identities, const crypto::TrustAnchors& anchors,
    const std::filesystem::path& out) {
    if (auto fits = check_size(message); !fits) {
        return std::unexpected(fits.error());
    }
    std::error_code ec;
    auto scratch = ScratchDir::create(m_work_dir);
    if (!scratch) {
        return std::unexpected(scratch.error());
    }
    const MimeDocument* document = &parsed;
    DecryptReport report;
    const std::vector<HeaderField> outer = message_headers(document->headers());
    const std::string from = document->from_address();
    report.subject = header_value(outer, "Subject");

    // Decrypted plaintext goes into files without a name, so that a killed process leaves none
    // of it behind; they live as long as this call.
    std::deque<AnonymousFile> unnamed;
    auto plaintext_file = [&](const std::string& stem) -> Result<std::filesystem::path> {
        auto file = scratch->anonymous(stem);
        if (!file) {
            return std::unexpected(file.error());
        }
        unnamed.push_back(std::move(*file));
        return unnamed.back().path();
    };

    // Opens one enveloped part (its decoded bytes) into an entity file.
    auto open_envelope = [&](const MimeDocument& holder,
                             int index) -> Result<std::filesystem::path> {
        const auto der = scratch->file("envelope");
        if (auto decoded = holder.write_decoded(index, der); !decoded) {
            return std::unexpected(decoded.error());
        }
        const auto entity = plaintext_file("entity");
        if (!entity) {
            return std::unexpected(entity.error());
        }
        auto result = crypto::decrypt_file(der, identities, *entity);
        std::filesystem::remove(der, ec);
        if (!result) {
            return std::unexpected(result.error());
        }
        if (!report.encrypted) {
            report.encrypted = true;
            report.content_cipher = result->content_cipher;
            report.certificate_sha256 = result->certificate_sha256;
            report.integrity_protected = result->auth_enveloped;
        }
        return *entity;
    };

    // Unwraps nested layers (encryption, signatures) until an ordinary entity remains.
    auto unwrap = [&](std::filesystem::path entity, bool just_decrypted) -> Result<MimeDocument> {
        for (;;) {
            auto current = MimeDocument::parse_file(entity, false);
            if (!current) {
                return std::unexpected(current.error());
            }
            const PartKind kind = current->body_kind();
            if (kind == PartKind::plain) {
                return std::move(*current);
            }
            if (++report.layers > m_limits.max_layers) {
                return fail(Errc::rejected,
                            "the message nests encryption and signatures deeper "
                            "than the nesting limit of " +
                                std::to_string(m_limits.max_layers) + " layers");
            }
            if (kind == PartKind::foreign_signed) {
                // An OpenPGP (or other) signature around S/MIME: not ours to check; go on
                // with the signed part, as mail clients do.
                const auto inner = plaintext_file("foreign-signed");
                if (!inner) {
                    return std::unexpected(inner.error());
                }
                if (auto written = current->write_part(0, *inner); !written) {
                    return std::unexpected(written.error());
                }
                entity = *inner;
                just_decrypted = false;
                continue;
            }
            if (kind == PartKind::enveloped) {
                auto next = open_envelope(*current, -1);
                if (!next) {
                    return std::unexpected(next.error());
                }
                entity = *next;
                just_decrypted = true;
                continue;
            }
            const auto content = plaintext_file("signed-content");
            if (!content) {
                return std::unexpected(content.error());
            }
            auto verified = crypto::verify_signed_entity(entity, anchors, *content);
            if (!verified) {
                return std::unexpected(verified.error());
            }
            if (!report.signature) {
                report.signature = to_info(*verified, from);
                // A valid signature right inside the encryption covers the whole content; one
                // by an untrusted key proves nothing (anyone can sign with a fresh key).
                if (just_decrypted && verified->valid && verified->trusted) {
                    report.integrity_protected = true;
                }
            }
            just_decrypted = false;
            entity = *content;
        }
    };

    const mime::Layout layout = document->layout();
    if (layout == mime::Layout::none) {
        return fail(Errc::rejected,
                    "not an S/MIME message (no application/pkcs7-mime part and no "
                    "signature)");
    }
    if (layout == mime::Layout::mixed_with_plain) {
        // The EFAIL pattern: decrypt each encrypted part on its own, never stitch them together.
        report.mixed_parts = true;
        for (const auto& part : document->parts()) {
            PartReport p;
            p.index = part.index;
            p.content_type = part.content_type;
            p.encrypted = part.kind == PartKind::enveloped;
            if (part.kind == PartKind::plain) {
                const auto file = scratch->file("part");
                if (document->write_part(part.index, file)) {
                    if (auto plain = MimeDocument::parse_file(file, false))
                        p.text = plain->text();
                }
            } else {
                auto entity = part.kind == PartKind::enveloped
                                  ? open_envelope(*document, part.index)
                                  : Result<std::filesystem::path>(scratch->file("part"));
                if (entity && part.kind != PartKind::enveloped) {
                    if (auto w = document->write_part(part.index, *entity); !w) {
                        entity = std::unexpected(w.error());
                    }
                }
                auto inner = entity ? unwrap(*entity, part.kind == PartKind::enveloped)
                                    : Result<MimeDocument>(std::unexpected(entity.error()));
                if (inner) {
                    p.decrypted = p.encrypted;
                    p.text = inner->text();
                } else {
                    p.error = inner.error().message();
                }
            }
            report.parts.push_back(std::move(p));
        }
        // The message itself is passed on unchanged: its parts are only reported one by one.
        std::filesystem::copy_file(message, out, std::filesystem::copy_options::overwrite_existing,
                                   ec);
        if (ec) {
            return fail(Errc::io, "cannot write " + out.string() + ": " + ec.message());
        }
        return report;
    }

    const int index = layout == mime::Layout::whole ? -1 : 0;
    const PartKind kind = document->parts().front().kind;
    std::filesystem::path entity;
    bool just_decrypted = false;
    if (kind == PartKind::enveloped) {
        ++report.layers;
        auto opened = open_envelope(*document, index);
        if (!opened) {
            return std::unexpected(opened.error());
        }
        entity = *opened;
        just_decrypted = true;
    } else if (layout == mime::Layout::whole && !document->is_mbox()) {
        // A signed message: OpenSSL reads it as it is, so the signed bytes stay exact.
        entity = message;
    } else if (layout == mime::Layout::whole) {
        // The same after an mbox "From " line, which OpenSSL's MIME reader does not expect.
        entity = scratch->file("signed");
        if (auto written = document->write_part(-1, entity); !written) {
            return std::unexpected(written.error());
        }
    } else {
        entity = scratch->file("part");
        if (auto written = document->write_part(index, entity); !written) {
            return std::unexpected(written.error());
        }
    }
    auto inner = unwrap(entity, just_decrypted);
    if (!inner) {
        return std::unexpected(inner.error());
    }
    std::vector<HeaderField> headers =
        apply_protected(outer, inner->headers(), report.protected_headers);
    report.subject = header_value(headers, "Subject");
    if (report.signature && report.protected_headers) {
        const std::string inner_from = lower(header_value(headers, "From"));
        if (inner_from.find(from) == std::string::npos && report.signature->matches_from) {
            // The protected From is the real one: judge the signer against it.
            report.signature->matches_from =
                inner_from.find(report.signature->signer) != std::string::npos;
        }
    }
    report.text = inner->text();
    headers.push_back({"MIME-Version", " 1.0"});
    const auto body = plaintext_file("body");
    if (!body) {
        return std::unexpected(body.error());
    }
    if (auto written = inner->write_body_entity_content_only(*body); !written) {
        return std::unexpected(written.error());
    }
    if (auto written = mime::write_message(out, headers, *body); !written) {
        return std::unexpected(written.error());
    }
    return report;
}

}  // namespace casecrypt::services
