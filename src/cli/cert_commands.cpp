// `casecrypt cert ...`: import, list, show and remove certificates.
#include <iostream>
#include <memory>

#include "cli/certificate_output.h"
#include "cli/commands.h"
#include "cli/password_input.h"
#include "core/file_io.h"
#include "core/json_text.h"
#include "core/secret.h"

namespace casecrypt::cli {
namespace {

struct CertOptions {
    std::string file;
    std::string password_file;
    bool password_stdin = false;
    std::string kind;
    bool json = false;
    long long id = 0;
};

Result<Secret> read_password(const CertOptions& o) {
    return cli::read_password(o.password_file, o.password_stdin);
}

std::string summary(const store::CertificateRecord& r) {
    std::string addresses;
    for (const auto& a : r.addresses) {
        addresses += (addresses.empty() ? "" : ", ") + a;
    }
    return addresses + " (" + r.key_description + ", serial " + r.serial + ", sha256 " +
           r.fingerprint_sha256.substr(0, 16) + "...)";
}

int print_report(CliContext& ctx, const Result<services::ImportReport>& report) {
    if (!report) {
        return ctx.report(report.error());
    }
    for (const auto& warning : report->warnings) {
        ctx.warn(warning);
    }
    for (const auto& item : report->items) {
        const auto& r = item.certificate;
        switch (item.outcome) {
            case services::ImportOutcome::imported:
                std::cout << "imported " << store::to_string(r.kind) << " certificate " << r.id
                          << ": " << summary(r) << "\n";
                break;
            case services::ImportOutcome::already_present:
                std::cout << store::to_string(r.kind) << " certificate " << summary(r) << " is "
                          << item.note << "\n";
                continue;
            case services::ImportOutcome::skipped:
                ctx.warn("skipped " + item.note);
                continue;
        }
        if (!item.note.empty()) {
            ctx.warn(item.note);
        }
    }
    return kExitOk;
}

}  // namespace

void add_cert_commands(CLI::App& app, Action& action) {
    auto o = std::make_shared<CertOptions>();
    auto* cert =
        app.add_subcommand("cert", "Manage server (PKCS #12) and client (X.509) certificates");
    cert->require_subcommand(1);

    auto* import_server = cert->add_subcommand(
        "import-server",
        "Import one of our identities: a PKCS #12 (.p12/.pfx) with its private key");
    import_server->add_option("FILE", o->file, "the .p12 or .pfx file")->required();
    auto* password_file = import_server->add_option("--password-file", o->password_file,
                                                    "file holding the PKCS #12 password");
    auto* password_stdin = import_server->add_flag(
        "--password-stdin", o->password_stdin, "read the PKCS #12 password from standard input");
    password_file->excludes(password_stdin);
    import_server->callback([o, &action] {
        action = [o](CliContext& ctx, services::Installation& installation) {
            auto password = read_password(*o);
            if (!password) {
                return ctx.report(password.error());
            }
            return print_report(
                ctx, installation.certificates().import_server(o->file, *password, ctx.actor()));
        };
    });

    auto* import_client = cert->add_subcommand(
        "import-client",
        "Import recipients' public certificates (.cer .crt .der .pem, PEM or DER)");
    import_client->add_option("FILE", o->file, "the certificate file")->required();
    import_client->callback([o, &action] {
        action = [o](CliContext& ctx, services::Installation& installation) {
            return print_report(ctx,
                                installation.certificates().import_client(o->file, ctx.actor()));
        };
    });

    auto* import_ca = cert->add_subcommand(
        "import-ca", "Trust a CA certificate for S/MIME signatures (besides the system bundle)");
    import_ca->add_option("FILE", o->file, "the CA certificate file (PEM or DER)")->required();
    import_ca->callback([o, &action] {
        action = [o](CliContext& ctx, services::Installation& installation) {
            auto report = installation.certificates().import_ca(o->file, ctx.actor());
            if (!report) {
                return ctx.report(report.error());
            }
            for (const auto& item : report->items) {
                if (item.outcome == services::ImportOutcome::skipped) {
                    ctx.warn("skipped " + item.note);
                } else {
                    std::cout << (item.outcome == services::ImportOutcome::imported
                                      ? "trusted CA certificate "
                                      : "CA certificate already trusted: ")
                              << item.certificate.id << ": " << item.certificate.subject << "\n";
                }
            }
            return kExitOk;
        };
    });

    auto* list = cert->add_subcommand("list", "List the certificates in the store");
    list->add_option("--kind", o->kind, "only server or only client certificates")
        ->check(CLI::IsMember({"server", "client"}));
    list->add_flag("--json", o->json, "print a JSON array");
    list->callback([o, &action] {
        action = [o](CliContext& ctx, services::Installation& installation) {
            std::optional<store::CertificateKind> kind;
            if (!o->kind.empty()) {
                kind = o->kind == "server" ? store::CertificateKind::server
                                           : store::CertificateKind::client;
            }
            auto records = installation.certificates().list(kind);
            if (!records) {
                return ctx.report(records.error());
            }
            const TimePoint now = ctx.clock().now();
            if (o->json) {
                auto array = nlohmann::json::array();
                for (const auto& r : *records) {
                    array.push_back(certificate_json(r, now));
                }
                std::cout << json_text(array, 2) << "\n";
            } else {
                std::cout << certificate_table(*records, now);
            }
            return kExitOk;
        };
    });

    auto* show = cert->add_subcommand("show", "Show one certificate");
    show->add_option("ID", o->id, "the id from `cert list`")
        ->required()
        ->check(CLI::PositiveNumber);
    show->add_flag("--json", o->json, "print a JSON object");
    show->callback([o, &action] {
        action = [o](CliContext& ctx, services::Installation& installation) {
            auto& admin = installation.certificates();
            auto record = admin.show(o->id);
            if (!record) {
                return ctx.report(record.error());
            }
            auto chain = admin.chain(o->id);
            if (!chain) {
                return ctx.report(chain.error());
            }
            const TimePoint now = ctx.clock().now();
            if (o->json) {
                auto object = certificate_json(*record, now);
                object["chain"] = nlohmann::json::array();
                for (const auto& c : *chain) {
                    object["chain"].push_back({{"subject", c.subject},
                                               {"issuer", c.issuer},
                                               {"serial", c.serial},
                                               {"fingerprint_sha256", c.fingerprint_sha256}});
                }
                std::cout << json_text(object, 2) << "\n";
            } else {
                std::cout << certificate_details(*record, now, *chain);
            }
            return kExitOk;
        };
    });

    auto* remove = cert->add_subcommand("remove", "Remove a certificate (and its private key)");
    remove->add_option("ID", o->id, "the id from `cert list`")
        ->required()
        ->check(CLI::PositiveNumber);
    remove->callback([o, &action] {
        action = [o](CliContext& ctx, services::Installation& installation) {
            auto removed = installation.certificates().remove(o->id, ctx.actor());
            if (!removed) {
                return ctx.report(removed.error());
            }
            std::cout << "removed " << store::to_string(removed->kind) << " certificate "
                      << removed->id << ": " << summary(*removed) << "\n";
            return kExitOk;
        };
    });
}

}  // namespace casecrypt::cli
