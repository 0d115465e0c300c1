// `casecrypt mail send` and `casecrypt outbox list|retry|deliver`: the outgoing side. They
// parse, call services::Outbox, and print: the JSON here is one serialiser of the services'
// send report and outbox views (the field names and words the CLI has always printed).
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/certificate_output.h"
#include "cli/commands.h"
#include "core/file_io.h"
#include "core/iso_time.h"
#include "core/json_text.h"
#include "core/text.h"
#include "services/view_json.h"

namespace casecrypt::cli {
namespace {

struct SendOptions {
    std::string from, subject, body, body_file, html_file;
    std::vector<std::string> to, cc, bcc, attach;
    bool encrypt = false, no_encrypt = false, json = false;
    long long id = 0;
    long long ticket = 0;
    std::string address;
};

std::string state_line(const services::DeliveryOutcome& o) {
    return "outbox " + std::to_string(o.outbox_id) + ": " + services::to_string(o.state) +
           (o.detail.empty() ? "" : " (" + o.detail + ")");
}

void print_send(const services::SendReport& r, bool json) {
    if (json) {
        auto j = report_json(r);
        j["delivery"] = nlohmann::json::array();
        for (const auto& o : r.delivery) {
            j["delivery"].push_back({{"outbox_id", o.outbox_id},
                                     {"state", services::to_string(o.state)},
                                     {"detail", o.detail}});
        }
        std::cout << json_text(j, 2) << "\n";
        return;
    }
    std::cout << "mail <" << r.mail_id << ">: " << shown(r.sentence) << "\n";
    for (const auto& rec : r.recipients) {
        std::cout << "  " << services::to_string(rec.kind) << " " << shown(rec.address) << ": "
                  << shown(services::to_string(rec.outcome));
        if (rec.certificate) {
            std::cout << " (certificate " << rec.certificate->fingerprint_sha256.substr(0, 16)
                      << "... from " << services::to_string(rec.certificate->source) << ")";
        }
        std::cout << "\n";
    }
    for (const auto& o : r.delivery)
        std::cout << "  " << shown(state_line(o)) << "\n";
}

void print_outbox(const std::vector<services::OutboxView>& entries) {
    if (entries.empty())
        std::cout << "(the outbox is empty)\n";
    for (const auto& e : entries) {
        std::string recipients;
        for (const auto& r : e.recipients)
            recipients += (recipients.empty() ? "" : ",") + r;
        std::cout << e.id << "  " << services::to_string(e.state) << "  "
                  << (e.encrypted ? "encrypted" : "unencrypted") << "  attempts " << e.attempts
                  << (e.next_attempt ? "  next " + to_iso8601(*e.next_attempt) : "") << "  to "
                  << shown(recipients) << "  \"" << shown(e.subject) << "\""
                  << (e.last_error.empty() ? "" : "  last error: " + shown(e.last_error)) << "\n";
    }
}

int run_send(CliContext& ctx, services::Installation& installation, const SendOptions& o) {
    if (o.to.empty() && o.cc.empty() && o.bcc.empty()) {
        return ctx.report(
            Error(Errc::rejected, "the mail has no recipient (give --to, --cc or --bcc)"));
    }
    services::SendRequest request;
    request.from = o.from;
    request.to = o.to;
    request.cc = o.cc;
    request.bcc = o.bcc;
    request.subject = o.subject;
    // A --body-file or --html-file that cannot be read is an I/O error (exit 1) naming it.
    if (!o.body_file.empty()) {
        auto body = read_file(o.body_file);
        if (!body)
            return ctx.report(body.error());
        request.text = std::move(*body);
    } else {
        request.text = o.body;
    }
    if (!o.html_file.empty()) {
        auto html = read_file(o.html_file);
        if (!html)
            return ctx.report(html.error());
        request.html = std::move(*html);
    }
    for (const auto& a : o.attach)
        request.attachments.emplace_back(a);
    if (o.encrypt)
        request.encrypt = true;
    if (o.no_encrypt)
        request.encrypt = false;
    // For a ticket: the subject carries its tag, the mail threads under the ticket's last
    // message and is recorded in its history.
    auto report = installation.outbox().send_now(
        request, o.ticket > 0 ? std::optional<long long>(o.ticket) : std::nullopt);
    if (!report)
        return ctx.report(report.error());
    if (report->delivery_error) {
        ctx.warn("the mail is in the outbox, but delivery could not start: " +
                 report->delivery_error->message());
    }
    print_send(*report, o.json);
    return report->rejected() ? kExitRejected : kExitOk;
}

}  // namespace

void add_outbox_commands(CLI::App& app, Action& action) {
    auto o = std::make_shared<SendOptions>();
    CLI::App* mail = app.get_subcommand("mail");
    auto* send = mail->add_subcommand("send", "Build, encrypt when it should be, and send a mail");
    send->add_option("--from", o->from,
                     "sender: one address (\"Support <support@example.test>\" or a bare address)")
        ->required();
    send->add_option("--to", o->to,
                     "recipients: an address list (\"Name <a@x>, b@y\"; quoted names may hold "
                     "commas) or repeated");
    send->add_option("--cc", o->cc, "copy recipients (an address list, or repeated)");
    send->add_option("--bcc", o->bcc,
                     "blind copy recipients (an address list, or repeated): each gets a copy of "
                     "its own that names no other Bcc");
    send->add_option("--subject", o->subject, "subject (UTF-8)")->required();
    auto* body = send->add_option("--body", o->body, "the text (UTF-8)");
    auto* body_file =
        send->add_option("--body-file", o->body_file, "file holding the text (UTF-8)");
    body->excludes(body_file);
    send->add_option("--html-file", o->html_file,
                     "file holding an HTML alternative to the text (UTF-8)");
    send->add_option("--attach", o->attach, "a file to attach (repeatable)");
    auto* encrypt = send->add_flag(
        "--encrypt", o->encrypt,
        "encrypt (the default when cmas-core-server / mail.encryption is true; refused when "
        "it is false)");
    auto* no_encrypt = send->add_flag("--no-encrypt", o->no_encrypt, "send this mail unencrypted");
    encrypt->excludes(no_encrypt);
    send->add_flag("--json", o->json,
                   "print the report as JSON (decision, recipients, outbox ids, delivery)");
    send->add_option("--ticket", o->ticket,
                     "the ticket this mail answers: its tag goes into the subject, the mail "
                     "replies to the ticket's last message (In-Reply-To, References) and goes "
                     "into its history")
        ->check(CLI::PositiveNumber);
    send->footer(
        "Example:\n  casecrypt mail send --from support@example.test --to alice@customer.test "
        "--subject \"Your request\" --body-file answer.txt --attach report.pdf --ticket 12");
    send->callback([o, &action, body, body_file] {
        action = [o, body, body_file](CliContext& ctx, services::Installation& installation) {
            if (body->count() == 0 && body_file->count() == 0) {
                return ctx.report(Error(Errc::usage, "give the text with --body or --body-file"));
            }
            return run_send(ctx, installation, *o);
        };
    });

    auto* outbox = app.add_subcommand("outbox", "The outgoing queue");
    outbox->require_subcommand(1);
    auto* list = outbox->add_subcommand("list", "Show every copy with its state, newest first");
    list->add_flag("--json", o->json,
                   "print a JSON array (next_attempt is null for copies no attempt will follow)");
    list->footer("Example:\n  casecrypt outbox list --json");
    list->callback([o, &action] {
        action = [o](CliContext& ctx, services::Installation& installation) {
            auto entries = installation.outbox().list();
            if (!entries)
                return ctx.report(entries.error());
            if (o->json) {
                auto array = nlohmann::json::array();
                for (const auto& e : *entries)
                    array.push_back(outbox_json(e));
                std::cout << json_text(array, 2) << "\n";
                return kExitOk;
            }
            print_outbox(*entries);
            return kExitOk;
        };
    });
    auto* retry = outbox->add_subcommand(
        "retry", "Try a rejected or failed copy again (rejected: with today's certificates)");
    retry->add_option("ID", o->id, "the outbox id of the copy (the first column of `outbox list`)")
        ->required()
        ->check(CLI::PositiveNumber);
    retry->footer("Example:\n  casecrypt outbox retry 7");
    retry->callback([o, &action] {
        action = [o](CliContext& ctx, services::Installation& installation) {
            auto report = installation.outbox().retry_now(o->id, ctx.actor());
            if (!report)
                return ctx.report(report.error());
            print_send(*report, false);
            return kExitOk;
        };
    });
    auto* deliver = outbox->add_subcommand(
        "deliver", "Deliver every copy that is due (takes no arguments; `serve` does it too)");
    deliver->footer("Example:\n  casecrypt outbox deliver");
    deliver->callback([&action] {
        action = [](CliContext& ctx, services::Installation& installation) {
            auto delivered = installation.outbox().deliver_due();
            if (!delivered)
                return ctx.report(delivered.error());
            for (const auto& d : *delivered)
                std::cout << shown(state_line(d)) << "\n";
            std::cout << delivered->size() << " attempted\n";
            return kExitOk;
        };
    });
}

}  // namespace casecrypt::cli
