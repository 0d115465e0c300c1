// `casecrypt mail encrypt|decrypt`: the S/MIME engine for administrators and scripts.
// Standard input and output when --in/--out are absent (spooled through the work directory,
// so the engine always works file to file).
#include <fstream>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>

#include "cli/commands.h"
#include "cli/password_input.h"
#include "core/file_io.h"
#include "core/json_text.h"
#include "core/output_file.h"
#include "core/scratch_dir.h"
#include "services/mail_crypto.h"

namespace casecrypt::cli {
namespace {

struct MailOptions {
    std::vector<std::string> certs;
    std::string cipher;
    std::string key_transport;
    std::string in;
    std::string out;
    std::string p12;
    std::string password_file;
    bool password_stdin = false;
    bool json = false;
    std::uint64_t max_size = 1024ull * 1024 * 1024;
};

// Standard input is spooled into a file without a name (`spool` keeps it open): it may be
// plaintext to encrypt.
Result<std::filesystem::path> input_file(const MailOptions& o, ScratchDir& scratch,
                                         std::optional<AnonymousFile>& spool) {
    if (!o.in.empty()) {
        return std::filesystem::path(o.in);  // the service says when it is not there
    }
    auto file = scratch.anonymous("stdin");
    if (!file) {
        return std::unexpected(file.error());
    }
    const auto spooled = spool.emplace(std::move(*file)).path();
    std::ofstream out(spooled, std::ios::binary);
    out << std::cin.rdbuf();
    if (!out.flush()) {
        return fail(Errc::io, "cannot spool standard input");
    }
    return spooled;
}

// Where the result goes: --out, else standard output (OutputFile's rule: a regular file is
// replaced only on success, anything else is written into and never removed).
Result<OutputFile> open_output(const MailOptions& o) {
    return OutputFile::open(o.out.empty() ? std::filesystem::path("-")
                                          : std::filesystem::path(o.out));
}

// The file the engine writes into: the output's temporary file for a regular target, else a
// scratch file that deliver() copies into the stream.
std::filesystem::path produce_into(const OutputFile& output, ScratchDir& scratch) {
    const auto temp = output.temp_path();
    return temp ? *temp : scratch.file("out");
}

Result<void> deliver(OutputFile& output, const std::filesystem::path& produced) {
    if (output.is_stream()) {
        if (auto copied = output.copy_from(produced); !copied) {
            return copied;
        }
    }
    return output.commit();
}

Result<Secret> read_password(const MailOptions& o) {
    return cli::read_password(o.password_file, o.password_stdin);
}

nlohmann::json report_json(const services::DecryptReport& r) {
    nlohmann::json j{{"encrypted", r.encrypted},
                     {"content_cipher", r.content_cipher},
                     {"integrity_protected", r.integrity_protected},
                     {"certificate_sha256", r.certificate_sha256},
                     {"subject", r.subject},
                     {"protected_headers", r.protected_headers},
                     {"text", r.text ? nlohmann::json(*r.text) : nlohmann::json(nullptr)},
                     {"layers", r.layers},
                     {"mixed_parts", r.mixed_parts},
                     {"signature", nullptr},
                     {"parts", nlohmann::json::array()}};
    if (r.signature) {
        const auto& s = *r.signature;
        j["signature"] = {{"signer", s.signer},
                          {"signer_subject", s.signer_subject},
                          {"signer_sha256", s.signer_sha256},
                          {"valid", s.valid},
                          {"trusted", s.trusted},
                          {"matches_from", s.matches_from},
                          {"problem", s.problem}};
    }
    for (const auto& p : r.parts) {
        j["parts"].push_back({{"index", p.index},
                              {"content_type", p.content_type},
                              {"encrypted", p.encrypted},
                              {"decrypted", p.decrypted},
                              {"text", p.text ? nlohmann::json(*p.text) : nlohmann::json(nullptr)},
                              {"error", p.error}});
    }
    return j;
}

// The one-line summary on stderr.
std::string summary(const services::DecryptReport& r) {
    std::string line = r.encrypted
                           ? "decrypted (" + r.content_cipher + ", " +
                                 (r.integrity_protected ? "integrity-protected"
                                                        : "encrypted, not integrity-protected") +
                                 ")"
                           : "not encrypted";
    if (r.signature) {
        const auto& s = *r.signature;
        line += "; signed by " + s.signer + ": " + (s.valid ? "valid" : "INVALID") + ", " +
                (s.trusted ? "trusted" : "not trusted") + ", " +
                (s.matches_from ? "matches From" : "does NOT match From");
    } else {
        line += "; not signed";
    }
    if (r.mixed_parts) {
        line += "; WARNING: encrypted parts beside plain parts, each reported separately";
    }
    return line;
}

int run_encrypt(CliContext& ctx, services::Installation& installation, const MailOptions& o) {
    services::EncryptRequest request;
    request.certificate_files.assign(o.certs.begin(), o.certs.end());
    if (!o.cipher.empty()) {
        auto cipher = services::parse_content_cipher(o.cipher);
        if (!cipher)
            return ctx.report(cipher.error());
        request.cipher = *cipher;
    }
    if (!o.key_transport.empty()) {
        auto transport = services::parse_key_transport(o.key_transport);
        if (!transport)
            return ctx.report(transport.error());
        request.key_transport = *transport;
    }
    auto scratch = ScratchDir::create(installation.work_dir());
    if (!scratch)
        return ctx.report(scratch.error());
    std::optional<AnonymousFile> spool;
    auto in = input_file(o, *scratch, spool);
    if (!in)
        return ctx.report(in.error());
    auto output = open_output(o);
    if (!output)
        return ctx.report(output.error());
    request.in = *in;
    request.out = produce_into(*output, *scratch);
    if (auto done = installation.mail_crypto().encrypt(request); !done) {
        return ctx.report(done.error());  // the output's temporary file goes with it
    }
    if (auto delivered = deliver(*output, request.out); !delivered)
        return ctx.report(delivered.error());
    return kExitOk;
}

int run_decrypt(CliContext& ctx, services::Installation& installation, const MailOptions& o) {
    services::DecryptRequest request;
    request.max_message_bytes = o.max_size;
    if (!o.p12.empty()) {
        auto password = read_password(o);
        if (!password)
            return ctx.report(password.error());
        auto bytes = read_file(o.p12, services::MailCrypto::kMaxCertificateFile);
        if (!bytes)
            return ctx.report(bytes.error());
        request.pkcs12 = services::InputBytes{o.p12, std::move(*bytes)};
        request.password = std::move(*password);
    }
    auto scratch = ScratchDir::create(installation.work_dir());
    if (!scratch)
        return ctx.report(scratch.error());
    std::optional<AnonymousFile> spool;
    auto in = input_file(o, *scratch, spool);
    if (!in)
        return ctx.report(in.error());
    // With --json and no --out the report is the output and the message is not written.
    std::optional<OutputFile> output;
    if (!o.json || !o.out.empty()) {
        auto opened = open_output(o);
        if (!opened)
            return ctx.report(opened.error());
        output.emplace(std::move(*opened));
    }
    request.in = *in;
    request.out = output ? produce_into(*output, *scratch) : scratch->file("out");
    auto report = installation.mail_crypto().decrypt(request);
    if (!report) {
        const bool no_password =
            request.pkcs12 && request.password.empty() &&
            report.error().message().find("no password was given") != std::string::npos;
        return ctx.report(no_password ? Error(report.error().code(),
                                              report.error().message() +
                                                  "; give it with --password-file or "
                                                  "--password-stdin")
                                      : report.error());  // the output's temp file goes with it
    }
    if (output) {
        if (auto delivered = deliver(*output, request.out); !delivered) {
            return ctx.report(delivered.error());
        }
    }
    std::cerr << summary(*report) << "\n";
    if (o.json) {
        std::cout << json_text(report_json(*report), 2) << "\n";
    }
    return kExitOk;
}

}  // namespace

void add_mail_commands(CLI::App& app, Action& action) {
    auto o = std::make_shared<MailOptions>();
    auto* mail = app.add_subcommand(
        "mail",
        "Send and fetch mail, and encrypt or decrypt S/MIME messages (send, fetch, "
        "encrypt, decrypt)");
    mail->require_subcommand(1);

    auto* encrypt = mail->add_subcommand(
        "encrypt",
        "Encrypt an RFC 5322 message with S/MIME to the given certificates (each must be able to "
        "encrypt now; CA certificates in a bundle are skipped)");
    encrypt
        ->add_option("--cert", o->certs,
                     "a recipient's certificate file, PEM or DER, may hold several (repeatable)")
        ->required();
    encrypt
        ->add_option("--cipher", o->cipher,
                     "content cipher: aes-256-cbc, aes-128-cbc or aes-256-gcm (default: the "
                     "property mail.encryption.cipher)")
        ->check(CLI::IsMember({"aes-256-cbc", "aes-128-cbc", "aes-256-gcm"}));
    encrypt
        ->add_option("--key-transport", o->key_transport,
                     "RSA key transport: rsa-pkcs1 or rsa-oaep (default: the property "
                     "mail.encryption.key.transport)")
        ->check(CLI::IsMember({"rsa-pkcs1", "rsa-oaep"}));
    encrypt->add_option("--in", o->in, "the message file (default: standard input)");
    encrypt->add_option("--out", o->out,
                        "where to write the encrypted message (default: standard output; a "
                        "regular file is replaced only on success)");
    encrypt->footer(
        "Example:\n  casecrypt mail encrypt --cert alice.pem --cipher aes-256-gcm --in "
        "message.eml --out message.p7m.eml");
    encrypt->callback([o, &action] {
        action = [o](CliContext& ctx, services::Installation& installation) {
            return run_encrypt(ctx, installation, *o);
        };
    });

    auto* decrypt = mail->add_subcommand(
        "decrypt",
        "Decrypt an S/MIME message with the store's server certificates (or a PKCS #12), check "
        "its signature, print a one-line summary on standard error");
    decrypt->add_option("--p12", o->p12,
                        "decrypt with this PKCS #12 (.p12/.pfx) instead of the store's server "
                        "certificates");
    auto* password_file = decrypt->add_option(
        "--password-file", o->password_file,
        "file holding the PKCS #12 password (one trailing newline is not part of it)");
    auto* password_stdin =
        decrypt->add_flag("--password-stdin", o->password_stdin,
                          "read the PKCS #12 password from standard input (needs --in)");
    password_file->excludes(password_stdin);
    decrypt->add_option("--in", o->in, "the message file (default: standard input)");
    decrypt->add_option("--out", o->out,
                        "where to write the decrypted message (default: standard output; with "
                        "--json and no --out it is not written)");
    decrypt->add_flag("--json", o->json,
                      "print the report as JSON on standard output (see docs/smime.md)");
    decrypt
        ->add_option("--max-size", o->max_size,
                     "refuse messages larger than this many bytes (1 to 2^40)")
        ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1} << 40))
        ->capture_default_str();
    decrypt->footer(
        "Example:\n  casecrypt mail decrypt --in message.p7m.eml --out message.eml --json");
    decrypt->callback([o, &action] {
        action = [o](CliContext& ctx, services::Installation& installation) {
            if (o->password_stdin && o->in.empty()) {
                return ctx.report(Error(Errc::usage,
                                        "--password-stdin needs --in: standard input "
                                        "cannot carry both"));
            }
            return run_decrypt(ctx, installation, *o);
        };
    });
}

}  // namespace casecrypt::cli
