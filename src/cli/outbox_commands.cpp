// `casecrypt mail send` and `casecrypt outbox list|retry|deliver`: the outgoing side. They
// parse, call services::OutgoingMail / Delivery, and print.
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/certificate_output.h"
#include "cli/commands.h"
#include "core/file_io.h"
#include "core/iso_time.h"
#include "core/json_text.h"
#include "core/text.h"

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
    return "outbox " + std::to_string(o.id) + ": " + store::to_string(o.state) +
           (o.detail.empty() ? "" : " (" + o.detail + ")");
}

void print_send(const services::SendResult& r,
                const std::vector<services::DeliveryOutcome>& delivered, bool json) {
    if (json) {
        auto j = json_value(services::report_json(r));
        j["delivery"] = nlohmann::json::array();
        for (const auto& o : delivered) {
            j["delivery"].push_back(
                {{"outbox_id", o.id}, {"state", store::to_string(o.state)}, {"detail", o.detail}});
        }
        std::cout << json_text(j, 2) << "\n";
        return;
    }
    std::cout << "mail <" << r.mail_id << ">: " << shown(r.decision) << "\n";
    for (const auto& rec : r.recipients) {
        std::cout << "  " << rec.kind << " " << shown(rec.address) << ": " << shown(rec.outcome);
        if (rec.certificate) {
            std::cout << " (certificate "
                      << rec.certificate->record.fingerprint_sha256.substr(0, 16) << "... from "
                      << services::to_string(rec.certificate->from) << ")";
        }
        std::cout << "\n";
    }
    for (const auto& o : delivered)
        std::cout << "  " << shown(state_line(o)) << "\n";
}

int run_send(CliContext& ctx, services::Installation& installation, const SendOptions& o) {
    services::SendRequest request;
    request.from = o.from;
    request.to = o.to;
    request.cc = o.cc;
    request.bcc = o.bcc;
    request.subject = o.subject;
    if (!o.body_file.empty()) {
        auto body = read_file(o.body_file);
        if (!body)
            return ctx.report(Error(Errc::rejected, body.error().message()));
        request.text = std::move(*body);
    } else {
        request.text = o.body;
    }
    if (!o.html_file.empty()) {
        auto html = read_file(o.html_file);
        if (!html)
            return ctx.report(Error(Errc::rejected, html.error().message()));
        request.html = std::move(*html);
    }
    for (const auto& a : o.attach)
        request.attachments.emplace_back(a);
    if (o.encrypt)
        request.encrypt = true;
    if (o.no_encrypt)
        request.encrypt = false;
    // For a ticket: the subject carries its tag, and the mail is recorded in its history.
    auto result = o.ticket > 0 ? installation.tickets().send(o.ticket, request)
                               : installation.outgoing().send(request);
    if (!result)
        return ctx.report(result.error());
    // Committed: now one delivery attempt; what fails stays in the outbox for later rounds.
    auto delivered = installation.delivery().deliver(result->outbox_ids);
    if (!delivered) {
        ctx.warn("the mail is in the outbox, but delivery could not start: " +
                 delivered.error().message());
    }
    print_send(*result, delivered ? *delivered : std::vector<services::DeliveryOutcome>{}, o.json);
    return result->rejected ? kExitRejected : kExitOk;
}

}  // namespace

void add_outbox_commands(CLI::App& app, Action& action) {
    auto o = std::make_shared<SendOptions>();
    CLI::App* mail = app.get_subcommand("mail");
    auto* send = mail->add_subcommand("send", "Build, encrypt when it should be, and send a mail");
    send->add_option("--from", o->from, "sender address")->required();
    send->add_option("--to", o->to,
                     "recipients: an address list (\"Name <a@x>, b@y\"; quoted names may hold "
                     "commas) or repeated");
    send->add_option("--cc", o->cc, "copy recipients");
    send->add_option("--bcc", o->bcc, "blind copy recipients");
    send->add_option("--subject", o->subject, "subject (UTF-8)")->required();
    auto* body = send->add_option("--body", o->body, "the text");
    auto* body_file = send->add_option("--body-file", o->body_file, "file holding the text");
    body->excludes(body_file);
    send->add_option("--html-file", o->html_file, "file holding an HTML alternative");
    send->add_option("--attach", o->attach, "a file to attach (repeatable)");
    auto* encrypt =
        send->add_flag("--encrypt", o->encrypt, "encrypt (refused when encryption is off)");
    auto* no_encrypt = send->add_flag("--no-encrypt", o->no_encrypt, "send this mail unencrypted");
    encrypt->excludes(no_encrypt);
    send->add_flag("--json", o->json, "print the report as JSON");
    send->add_option("--ticket", o->ticket,
                     "the ticket this mail answers: its tag goes into the subject and the mail "
                     "into its history")
        ->check(CLI::PositiveNumber);
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
    auto* list = outbox->add_subcommand("list", "Show every copy with its state");
    list->add_flag("--json", o->json, "print a JSON array");
    list->callback([o, &action] {
        action = [o](CliContext& ctx, services::Installation& installation) {
            auto entries = installation.outbox().list();
            if (!entries)
                return ctx.report(entries.error());
            if (o->json) {
                auto array = nlohmann::json::array();
                for (const auto& e : *entries) {
                    array.push_back({{"id", e.id},
                                     {"mail_id", e.mail_id},
                                     {"state", store::to_string(e.state)},
                                     {"from", e.envelope_from},
                                     {"recipients", e.recipients},
                                     {"subject", e.subject},
                                     {"encrypted", e.encrypted},
                                     {"attempts", e.attempts},
                                     {"next_attempt", to_iso8601(e.next_attempt_at)},
                                     {"last_error", e.last_error},
                                     {"created", to_iso8601(e.created_at)},
                                     {"sent", e.sent_at ? nlohmann::json(to_iso8601(*e.sent_at))
                                                        : nlohmann::json(nullptr)},
                                     {"report", json_value(e.report)}});
                }
                std::cout << json_text(array, 2) << "\n";
                return kExitOk;
            }
            if (entries->empty())
                std::cout << "(the outbox is empty)\n";
            for (const auto& e : *entries) {
                std::string recipients;
                for (const auto& r : e.recipients)
                    recipients += (recipients.empty() ? "" : ",") + r;
                std::cout << e.id << "  " << store::to_string(e.state) << "  "
                          << (e.encrypted ? "encrypted" : "unencrypted") << "  attempts "
                          << e.attempts << "  next " << to_iso8601(e.next_attempt_at) << "  to "
                          << shown(recipients) << "  \"" << shown(e.subject) << "\""
                          << (e.last_error.empty() ? "" : "  last error: " + shown(e.last_error))
                          << "\n";
            }
            return kExitOk;
        };
    });
    auto* retry = outbox->add_subcommand("retry", "Try a rejected or failed copy again");
    retry->add_option("ID", o->id)->required()->check(CLI::PositiveNumber);
    retry->callback([o, &action] {
        action = [o](CliContext& ctx, services::Installation& installation) {
            auto result = installation.outgoing().retry(o->id);
            if (!result)
                return ctx.report(result.error());
            auto delivered = installation.delivery().deliver({o->id});
            if (!delivered)
                return ctx.report(delivered.error());
            print_send(*result, *delivered, false);
            return kExitOk;
        };
    });
    auto* deliver = outbox->add_subcommand("deliver", "Deliver every copy that is due");
    deliver->callback([&action] {
        action = [](CliContext& ctx, services::Installation& installation) {
            auto delivered = installation.delivery().deliver_due();
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
