// `casecrypt cert ...`: import, list, show, remove and resolve certificates. They parse, call
// services::CertificateAdmin / RecipientLookup, and print their views.
#include <iostream>
#include <memory>

#include "cli/certificate_output.h"
#include "cli/commands.h"
#include "cli/password_input.h"
#include "core/json_text.h"
#include "core/secret.h"
#include "core/text.h"
#include "services/view_json.h"

namespace casecrypt::cli {
namespace {

struct CertOptions {
    std::string file;
    std::string password_file;
    bool password_stdin = false;
    std::string kind;
    bool json = false;
    long long id = 0;
    std::string address;
};

std::string summary(const services::CertificateView& c) {
    if (c.kind == services::CertificateKind::ca) {
        return c.subject + " (" + c.key_description + ", serial " + c.serial + ", sha256 " +
               c.fingerprint_sha256.substr(0, 16) + "...)";
    }
    return join(c.addresses, ", ") + " (" + c.key_description + ", serial " + c.serial +
           ", sha256 " + c.fingerprint_sha256.substr(0, 16) + "...)";
}

int report_not_found(CliContext& ctx, const Error& error) {
    return ctx.report(
        error.code() == Errc::not_found ? with_hint(error, "`cert list` shows the ids") : error);
}

int print_report(CliContext& ctx, const Result<services::ImportReport>& report) {
    if (!report) {
        return ctx.report(report.error());
    }
    for (const auto& warning : report->warnings) {
        ctx.warn(warning);
    }
    for (const auto& item : report->items) {
        const auto& c = item.certificate;
        switch (item.outcome) {
            case services::ImportOutcome::imported:
                std::cout << "imported " << to_string(c.kind) << " certificate " << c.id << ": "
                          << summary(c) << "\n";
                break;
            case services::ImportOutcome::already_present:
                std::cout << to_string(c.kind) << " certificate " << summary(c) << " is "
                          << item.note << "\n";
                continue;
            case services::ImportOutcome::skipped:
                ctx.warn("skipped " + item.note +
                         (item.reason == services::ImportNote::ca_certificate
                              ? " (a trust anchor is imported with `cert import-ca`)"
                              : ""));
                continue;
        }
        if (!item.note.empty()) {
            ctx.warn(item.note);
        }
    }
    return kExitOk;
}

void add_import_commands(CLI::App& cert, Action& action, std::shared_ptr<CertOptions> o) {
    auto* import_server = cert.add_subcommand(
        "import-server",
        "Import one of our identities: a PKCS #12 (.p12/.pfx) with its private key. The key is "
        "stored sealed under the master key; the certificate decrypts mail to its addresses and "
        "encrypts mail sent to them");
    import_server->add_option("FILE", o->file, "the .p12 or .pfx file")->required();
    auto* password_file = import_server->add_option(
        "--password-file", o->password_file,
        "file holding the PKCS #12 password (one trailing newline is not part of it)");
    auto* password_stdin = import_server->add_flag(
        "--password-stdin", o->password_stdin, "read the PKCS #12 password from standard input");
    password_file->excludes(password_stdin);
    import_server->footer(
        "Without --password-file or --password-stdin the file is opened with no password.\n\n"
        "Example:\n  casecrypt cert import-server support.p12 --password-file support.pass");
    import_server->callback([o, &action] {
        action = [o](CliContext& ctx, services::Installation& installation) {
            auto password = read_password(o->password_file, o->password_stdin);
            if (!password) {
                return ctx.report(password.error());
            }
            auto report =
                installation.certificates().import_server(o->file, *password, ctx.actor());
            if (!report && report.error().code() == Errc::rejected && password->empty() &&
                report.error().message().find("no password was given") != std::string::npos) {
                return ctx.report(Error(report.error().code(),
                                        report.error().message() +
                                            "; give it with --password-file or --password-stdin"));
            }
            return print_report(ctx, report);
        };
    });

    auto* import_client = cert.add_subcommand(
        "import-client",
        "Import recipients' public certificates (.cer .crt .der .pem, PEM or DER; a file may hold "
        "several). Each must be able to encrypt and carry an email address; CA certificates go "
        "in with `cert import-ca`");
    import_client->add_option("FILE", o->file, "the certificate file")->required();
    import_client->footer("Example:\n  casecrypt cert import-client customer.pem");
    import_client->callback([o, &action] {
        action = [o](CliContext& ctx, services::Installation& installation) {
            services::ImportReport refused;
            auto report = installation.certificates().import_client(o->file, ctx.actor(), &refused);
            if (!report) {
                const bool ca = std::any_of(
                    refused.items.begin(), refused.items.end(),
                    [](auto& i) { return i.reason == services::ImportNote::ca_certificate; });
                return ctx.report(ca ? with_hint(report.error(),
                                                 "a trust anchor is imported with `cert import-ca`")
                                     : report.error());
            }
            return print_report(ctx, report);
        };
    });

    auto* import_ca = cert.add_subcommand(
        "import-ca",
        "Trust a CA certificate for S/MIME signatures (besides the system bundle). It is listed "
        "with `cert list --kind ca` and removed with `cert remove ID`");
    import_ca->add_option("FILE", o->file, "the CA certificate file (PEM or DER; may hold several)")
        ->required();
    import_ca->footer("Example:\n  casecrypt cert import-ca partner-root-ca.pem");
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
}

void add_view_commands(CLI::App& cert, Action& action, std::shared_ptr<CertOptions> o) {
    auto* list = cert.add_subcommand("list", "List the certificates in the store, by id");
    list->add_option("--kind", o->kind,
                     "only one kind: server (our identities), client (recipients') or ca "
                     "(trust anchors)")
        ->check(CLI::IsMember({"server", "client", "ca"}));
    list->add_flag("--json", o->json, "print a JSON array (one object per certificate)");
    list->footer("Example:\n  casecrypt cert list --kind client --json");
    list->callback([o, &action] {
        action = [o](CliContext& ctx, services::Installation& installation) {
            std::optional<services::CertificateKind> kind;
            if (o->kind == "server") {
                kind = services::CertificateKind::server;
            } else if (o->kind == "client") {
                kind = services::CertificateKind::client;
            } else if (o->kind == "ca") {
                kind = services::CertificateKind::ca;
            }
            auto views = installation.certificates().list(kind);
            if (!views) {
                return ctx.report(views.error());
            }
            if (o->json) {
                auto array = nlohmann::json::array();
                for (const auto& v : *views) {
                    array.push_back(certificate_json(v));
                }
                std::cout << json_text(array, 2) << "\n";
            } else {
                std::cout << certificate_table(*views);
            }
            return kExitOk;
        };
    });

    auto* show = cert.add_subcommand("show", "Show one certificate (of any kind) and its chain");
    show->add_option("ID", o->id, "the id from `cert list`")
        ->required()
        ->check(CLI::PositiveNumber);
    show->add_flag("--json", o->json,
                   "print a JSON object (the fields of `cert list --json`, and "
                   "\"chain\")");
    show->footer("Example:\n  casecrypt cert show 3 --json");
    show->callback([o, &action] {
        action = [o](CliContext& ctx, services::Installation& installation) {
            auto details = installation.certificates().show(o->id);
            if (!details) {
                return report_not_found(ctx, details.error());
            }
            if (o->json) {
                std::cout << json_text(certificate_details_json(*details), 2) << "\n";
            } else {
                std::cout << certificate_details(*details);
            }
            return kExitOk;
        };
    });

    auto* remove = cert.add_subcommand(
        "remove",
        "Remove a certificate of any kind (a server certificate with its private key; a CA "
        "stops being trusted). Ids are unique across kinds");
    remove->add_option("ID", o->id, "the id from `cert list`")
        ->required()
        ->check(CLI::PositiveNumber);
    remove->footer("Example:\n  casecrypt cert remove 3");
    remove->callback([o, &action] {
        action = [o](CliContext& ctx, services::Installation& installation) {
            auto removed = installation.certificates().remove(o->id, ctx.actor());
            if (!removed) {
                return report_not_found(ctx, removed.error());
            }
            std::cout << "removed " << to_string(removed->kind) << " certificate " << removed->id
                      << ": " << summary(*removed) << "\n";
            return kExitOk;
        };
    });

    auto* resolve = cert.add_subcommand(
        "resolve",
        "Which certificate encrypts mail to an address: one of ours, else a valid one in the "
        "store, else one from LDAP (imported when found)");
    resolve->add_option("ADDRESS", o->address, "the recipient's email address")->required();
    resolve->add_flag("--json", o->json,
                      "print a JSON object: address, source (server, store or ldap), certificate");
    resolve->footer("Example:\n  casecrypt cert resolve alice@customer.example --json");
    resolve->callback([o, &action] {
        action = [o](CliContext& ctx, services::Installation& installation) {
            auto lookup = installation.recipient_lookup().explain(o->address);
            if (!lookup)
                return ctx.report(lookup.error());
            if (!lookup->found)
                return ctx.report(Error(Errc::rejected, lookup->reason));
            const auto& resolved = lookup->found;
            const auto& r = *resolved;
            if (o->json) {
                std::cout << json_text({{"address", r.address},
                                        {"source", to_string(r.from)},
                                        {"certificate", certificate_json(r.certificate)}},
                                       2)
                          << "\n";
            } else {
                std::cout << r.address << ": certificate " << r.certificate.id << " from "
                          << to_string(r.from) << "\n"
                          << certificate_details({.certificate = r.certificate, .chain = {}});
            }
            return kExitOk;
        };
    });
}

}  // namespace

void add_cert_commands(CLI::App& app, Action& action) {
    auto o = std::make_shared<CertOptions>();
    auto* cert = app.add_subcommand(
        "cert", "Manage server (PKCS #12), client (X.509) and CA (trust anchor) certificates");
    cert->require_subcommand(1);
    add_import_commands(*cert, action, o);
    add_view_commands(*cert, action, o);
}

}  // namespace casecrypt::cli
