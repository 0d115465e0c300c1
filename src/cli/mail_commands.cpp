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
#include "crypto/certificate_file.h"
#include "crypto/certificate_policy.h"
#include "crypto/pkcs12_identity.h"
#include "services/key_ring.h"
#include "services/smime_engine.h"

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
        if (!std::filesystem::exists(o.in)) {
            return fail(Errc::rejected, "cannot read " + o.in + ": No such file or directory");
        }
        return std::filesystem::path(o.in);
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

Result<std::vector<crypto::Certificate>> recipient_certificates(const MailOptions& o,
                                                                TimePoint now) {
    std::vector<crypto::Certificate> recipients;
    for (const auto& path : o.certs) {
        auto bytes = read_file(path, 16 * 1024 * 1024);
        if (!bytes) {
            return std::unexpected(Error(Errc::rejected, bytes.error().message()));
        }
        auto parsed = crypto::read_certificate_file(*bytes);
        if (!parsed) {
            return std::unexpected(parsed.error().with_context(path));
        }
        for (const auto& certificate : parsed->certificates) {
            if (certificate.facts().is_ca) {
                continue;
            }
            const auto problems = crypto::encryption_problems_at(certificate, now);
            if (!problems.empty()) {
                return fail(Errc::rejected, path + ": certificate " + certificate.display_name() +
                                                " cannot be encrypted to: it " + problems.front());
            }
            recipients.push_back(certificate);
        }
    }
    if (recipients.empty()) {
        return fail(Errc::rejected, "no usable recipient certificate in the files given");
    }
    return recipients;
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
    auto& properties = installation.properties();
    const auto cipher_name =
        !o.cipher.empty()
            ? Result<std::string>(o.cipher)
            : properties.get_value(services::kCoreModule, services::kMailEncryptionCipher);
    const auto transport_name =
        !o.key_transport.empty()
            ? Result<std::string>(o.key_transport)
            : properties.get_value(services::kCoreModule, services::kMailEncryptionKeyTransport);
    if (!cipher_name)
        return ctx.report(cipher_name.error());
    if (!transport_name)
        return ctx.report(transport_name.error());
    auto cipher = crypto::parse_content_cipher(*cipher_name);
    auto transport = crypto::parse_key_transport(*transport_name);
    if (!cipher)
        return ctx.report(cipher.error());
    if (!transport)
        return ctx.report(transport.error());
    auto recipients = recipient_certificates(o, ctx.clock().now());
    if (!recipients)
        return ctx.report(recipients.error());
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
    const std::filesystem::path out = produce_into(*output, *scratch);
    services::SmimeEngine engine(installation.work_dir());
    if (auto done = engine.encrypt(*in, *recipients, {*cipher, *transport}, out); !done) {
        return ctx.report(done.error());  // the output's temporary file goes with it
    }
    if (auto delivered = deliver(*output, out); !delivered)
        return ctx.report(delivered.error());
    return kExitOk;
}

int run_decrypt(CliContext& ctx, services::Installation& installation, const MailOptions& o) {
    auto& admin = installation.certificates();
    std::vector<crypto::DecryptionIdentity> identities;
    if (!o.p12.empty()) {
        auto password = read_password(o);
        if (!password)
            return ctx.report(password.error());
        auto bytes = read_file(o.p12, 16 * 1024 * 1024);
        if (!bytes)
            return ctx.report(Error(Errc::rejected, bytes.error().message()));
        auto identity = crypto::open_pkcs12(*bytes, *password, /*require_address=*/false);
        if (!identity)
            return ctx.report(identity.error().with_context(o.p12));
        auto key = std::make_shared<Secret>(std::move(identity->private_key_pkcs8));
        identities.push_back({identity->certificate, [key]() -> Result<Secret> { return *key; }});
    } else {
        auto stored = admin.key_ring().decryption_identities();
        if (!stored)
            return ctx.report(stored.error());
        identities = std::move(*stored);
    }
    auto anchors = admin.key_ring().trust_anchors();
    if (!anchors)
        return ctx.report(anchors.error());
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
    const std::filesystem::path out =
        output ? produce_into(*output, *scratch) : scratch->file("out");
    services::SmimeEngine engine(installation.work_dir(),
                                 {.max_message_bytes = o.max_size, .max_layers = 4});
    auto report = engine.decrypt(*in, identities, *anchors, out);
    if (!report) {
        return ctx.report(report.error());  // the output's temporary file goes with it
    }
    if (output) {
        if (auto delivered = deliver(*output, out); !delivered) {
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
    auto* mail = app.add_subcommand("mail", "Encrypt and decrypt S/MIME mail");
    mail->require_subcommand(1);

    auto* encrypt = mail->add_subcommand("encrypt", "Encrypt an RFC 5322 message with S/MIME");
    encrypt->add_option("--cert", o->certs, "a recipient's certificate file (repeatable)")
        ->required();
    encrypt->add_option("--cipher", o->cipher, "aes-256-cbc (default), aes-128-cbc, aes-256-gcm")
        ->check(CLI::IsMember({"aes-256-cbc", "aes-128-cbc", "aes-256-gcm"}));
    encrypt->add_option("--key-transport", o->key_transport, "rsa-pkcs1 (default) or rsa-oaep")
        ->check(CLI::IsMember({"rsa-pkcs1", "rsa-oaep"}));
    encrypt->add_option("--in", o->in, "the message (default: standard input)");
    encrypt->add_option("--out", o->out, "where to write (default: standard output)");
    encrypt->callback([o, &action] {
        action = [o](CliContext& ctx, services::Installation& installation) {
            return run_encrypt(ctx, installation, *o);
        };
    });

    auto* decrypt =
        mail->add_subcommand("decrypt", "Decrypt an S/MIME message, check its signature");
    decrypt->add_option("--p12", o->p12, "decrypt with this PKCS #12 instead of the store");
    auto* password_file = decrypt->add_option("--password-file", o->password_file,
                                              "file holding the PKCS #12 password");
    auto* password_stdin = decrypt->add_flag("--password-stdin", o->password_stdin,
                                             "read the PKCS #12 password from standard input");
    password_file->excludes(password_stdin);
    decrypt->add_option("--in", o->in, "the message (default: standard input)");
    decrypt->add_option("--out", o->out,
                        "where to write the decrypted message (default: standard output)");
    decrypt->add_flag("--json", o->json, "print the report as JSON on standard output");
    decrypt
        ->add_option("--max-size", o->max_size,
                     "refuse messages larger than this many bytes (1 to 2^40)")
        ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1} << 40))
        ->capture_default_str();
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
