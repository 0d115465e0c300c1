// `casecrypt account add|list|remove`, `mail fetch`, `backup list|show|download|retry|delete`
// and `ticket list|show|close|reopen`: the incoming side. They parse, call
// services::MailAccounts / IncomingMail / Tickets, and print.
#include <fstream>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/password_input.h"
#include "core/file_io.h"
#include "core/iso_time.h"
#include "core/json_text.h"

namespace casecrypt::cli {
namespace {

struct IncomingOptions {
    std::string name, url, user, password_file, out, account;
    bool password_stdin = false, json = false;
    long long id = 0;
};

nlohmann::json json_or_null(const std::optional<std::string>& text) {
    if (!text)
        return nullptr;
    return json_value(*text);
}

nlohmann::json ticket_json(const store::TicketRecord& t) {
    return {{"number", t.number},
            {"subject", t.subject},
            {"status", t.status},
            {"customer", t.customer},
            {"created", to_iso8601(t.created_at)},
            {"updated", to_iso8601(t.updated_at)},
            {"linked_ticket", t.linked_ticket ? nlohmann::json(*t.linked_ticket) : nullptr}};
}

nlohmann::json message_json(const store::TicketMessageRecord& m) {
    nlohmann::json attachments = nlohmann::json::array();
    for (const auto& a : m.attachments) {
        attachments.push_back({{"id", a.id},
                               {"name", a.name},
                               {"type", a.content_type},
                               {"size", a.size},
                               {"inline", a.is_inline},
                               {"content_id", a.content_id}});
    }
    nlohmann::json report = json_or_null(m.report_json);
    return {
        {"direction", m.direction},
        {"message_id", m.message_id},
        {"from", m.from},
        {"to", json_value(m.to_json)},
        {"cc", json_value(m.cc_json)},
        {"subject", m.subject},
        {"date", to_iso8601(m.date)},
        {"text", m.text ? nlohmann::json(*m.text) : nullptr},
        {"html", m.html ? nlohmann::json(*m.html) : nullptr},
        {"attachments", attachments},
        {"encrypted", m.encrypted},
        {"encryption", json_or_null(m.encryption_json)},
        {"signature", json_or_null(m.signature_json)},
        {"report", report.is_object() && report.contains("recipients") ? report["recipients"]
                                                                       : nlohmann::json(nullptr)},
        {"notes", report.is_object() && report.contains("notes") ? report["notes"]
                                                                 : nlohmann::json::array()}};
}

nlohmann::json backup_json(const store::IncomingRecord& r) {
    return {{"id", r.id},
            {"subject", r.subject},
            {"from", r.from_address},
            {"mailbox", r.account},
            {"cause", r.error},
            {"size", r.size},
            {"date", to_iso8601(r.error_at.value_or(r.received_at))},
            {"received", to_iso8601(r.received_at)},
            {"message_id", r.message_id},
            {"attempts", r.attempts}};
}

std::string outcome_line(const services::ProcessOutcome& o) {
    if (!o.failure.empty()) {
        return "incoming " + std::to_string(o.incoming_id) + ": attempt " +
               std::to_string(o.attempt) + " failed, to be tried again: " + o.failure;
    }
    if (!o.filed)
        return "incoming " + std::to_string(o.incoming_id) + ": kept as email backup: " + o.cause;
    if (o.ticket_message == 0) {
        return "incoming " + std::to_string(o.incoming_id) +
               ": a copy of a mail already in ticket " + std::to_string(o.ticket);
    }
    return "incoming " + std::to_string(o.incoming_id) + ": " +
           (o.new_ticket ? "new ticket " : "appended to ticket ") + std::to_string(o.ticket) +
           (o.reused_message_id ? " (a different mail that reuses an earlier Message-ID)" : "");
}

int run_fetch(CliContext& ctx, services::Installation& installation, const IncomingOptions& o) {
    auto accounts = installation.accounts().list();
    if (!accounts)
        return ctx.report(accounts.error());
    std::vector<std::string> names;
    for (const auto& a : *accounts) {
        if (o.account.empty() || a.name == o.account)
            names.push_back(a.name);
    }
    if (!o.account.empty() && names.empty()) {
        return ctx.report(Error(Errc::not_found, "no mail account named " + o.account +
                                                     " (`account list` shows them)"));
    }
    bool unreadable = false;
    for (const auto& name : names) {
        auto fetched = installation.incoming().fetch(name);
        if (!fetched)
            return ctx.report(fetched.error());
        if (!fetched->error.empty()) {
            unreadable = true;
            std::cerr << "error: account " << one_line(name + ": " + fetched->error) << "\n";
            if (fetched->fetched == 0)
                continue;
        }
        std::cout << name << ": " << fetched->fetched << " new mail"
                  << (fetched->fetched == 1 ? "" : "s") << " stored (" << fetched->listed
                  << " in the mailbox)\n";
    }
    // Also what earlier rounds stored and could not finish (a crash, a retry).
    auto processed = installation.incoming().process_pending();
    if (!processed)
        return ctx.report(processed.error());
    for (const auto& outcome : processed->outcomes)
        std::cout << "  " << shown(outcome_line(outcome)) << "\n";
    std::cout << processed->filed << " filed into tickets, " << processed->backups
              << " kept as email backups";
    if (processed->failed > 0)
        std::cout << ", " << processed->failed << " to be tried again";
    std::cout << "\n";
    for (const auto& outcome : processed->outcomes) {
        if (!outcome.failure.empty())
            std::cerr << "error: " << one_line(outcome_line(outcome)) << "\n";
    }
    return unreadable || processed->failed > 0 ? kExitFailure : kExitOk;
}

void print_tickets(const std::vector<store::TicketRecord>& tickets, bool json) {
    if (json) {
        nlohmann::json out = nlohmann::json::array();
        for (const auto& t : tickets)
            out.push_back(ticket_json(t));
        std::cout << json_text(out, 2) << "\n";
        return;
    }
    for (const auto& t : tickets) {
        std::cout << t.number << "  " << t.status << "  " << to_iso8601(t.updated_at) << "  "
                  << shown(t.customer) << "  " << shown(t.subject) << "\n";
    }
}

void print_ticket(const services::TicketView& view, bool json) {
    if (json) {
        nlohmann::json out = ticket_json(view.ticket);
        out["messages"] = nlohmann::json::array();
        for (const auto& m : view.messages)
            out["messages"].push_back(message_json(m));
        std::cout << json_text(out, 2) << "\n";
        return;
    }
    const auto& t = view.ticket;
    std::cout << "Ticket " << t.number << " (" << t.status << "): " << shown(t.subject) << "\n"
              << "customer " << shown(t.customer) << ", created " << to_iso8601(t.created_at)
              << ", updated " << to_iso8601(t.updated_at) << "\n";
    if (t.linked_ticket)
        std::cout << "follows up closed ticket " << *t.linked_ticket << "\n";
    for (const auto& m : view.messages) {
        const auto j = message_json(m);
        std::cout << "\n== " << (m.direction == "in" ? "received" : "sent") << " "
                  << to_iso8601(m.date) << " from " << shown(m.from) << "\n"
                  << "   to " << json_text(j["to"])
                  << (j["cc"].empty() ? "" : " cc " + json_text(j["cc"]))
                  << "\n   subject: " << shown(m.subject) << "\n";
        if (m.encrypted) {
            const auto& e = j["encryption"];
            std::cout << "   encrypted (" << shown(e.value("cipher", "")) << ", "
                      << (e.value("integrity_protected", false) ? "integrity-protected"
                                                                : "not integrity-protected")
                      << ")\n";
        } else {
            std::cout << "   not encrypted\n";
        }
        if (j["signature"].is_object()) {
            const auto& s = j["signature"];
            std::cout << "   signed by " << shown(s.value("signer", "")) << ": "
                      << (s.value("valid", false) ? "valid" : "INVALID") << ", "
                      << (s.value("trusted", false) ? "trusted" : "not trusted") << ", "
                      << (s.value("matches_from", false) ? "matches From" : "does NOT match From")
                      << "\n";
        }
        for (const auto& note : j["notes"]) {
            if (note.is_string())
                std::cout << "   note: " << shown(note.get<std::string>()) << "\n";
        }
        for (const auto& a : m.attachments) {
            std::cout << "   attachment " << shown(a.name) << " (" << shown(a.content_type) << ", "
                      << a.size << " bytes)\n";
        }
        if (m.text)
            std::cout << "\n" << shown_text(*m.text) << "\n";
    }
}

}  // namespace

void add_incoming_commands(CLI::App& app, Action& action) {
    auto o = std::make_shared<IncomingOptions>();

    auto* account = app.add_subcommand("account", "Mailboxes incoming mail is fetched from");
    account->require_subcommand(1);
    auto* add = account->add_subcommand(
        "add", "Add a mailbox (imap://, imaps://, pop3://, pop3s://, dir:///)");
    add->add_option("name", o->name, "a name for it")->required();
    add->add_option("--url", o->url,
                    "imap[s]://host[:port][/FOLDER], pop3[s]://host[:port]/, dir:///path")
        ->required();
    add->add_option("--user", o->user, "login name");
    auto* password_file =
        add->add_option("--password-file", o->password_file, "file holding the password");
    auto* password_stdin = add->add_flag("--password-stdin", o->password_stdin,
                                         "read the password from standard input");
    password_file->excludes(password_stdin);
    add->callback([o, &action] {
        action = [o](CliContext& ctx, services::Installation& installation) {
            auto password = read_password(o->password_file, o->password_stdin);
            if (!password)
                return ctx.report(password.error());
            auto added =
                installation.accounts().add(o->name, o->url, o->user, *password, ctx.actor());
            if (!added)
                return ctx.report(added.error());
            std::cout << "account " << added->name << " added (" << added->url << ")\n";
            return kExitOk;
        };
    });
    auto* list = account->add_subcommand("list", "List the mailboxes");
    list->add_flag("--json", o->json, "print a JSON array");
    list->callback([o, &action] {
        action = [o](CliContext& ctx, services::Installation& installation) {
            auto accounts = installation.accounts().list();
            if (!accounts)
                return ctx.report(accounts.error());
            if (o->json) {
                nlohmann::json out = nlohmann::json::array();
                for (const auto& a : *accounts) {
                    out.push_back({{"name", a.name},
                                   {"url", a.url},
                                   {"user", a.user},
                                   {"created", a.created_at},
                                   {"last_fetch",
                                    a.last_fetch_at ? nlohmann::json(*a.last_fetch_at) : nullptr},
                                   {"last_error", a.last_error}});
                }
                std::cout << json_text(out, 2) << "\n";
                return kExitOk;
            }
            for (const auto& a : *accounts) {
                std::cout << a.name << "  " << a.url
                          << (a.user.empty() ? "" : "  user " + shown(a.user))
                          << (a.last_error.empty() ? "" : "  last error: " + shown(a.last_error))
                          << "\n";
            }
            return kExitOk;
        };
    });
    auto* remove =
        account->add_subcommand("remove", "Remove a mailbox (mail fetched from it stays)");
    remove->add_option("name", o->name, "its name")->required();
    remove->callback([o, &action] {
        action = [o](CliContext& ctx, services::Installation& installation) {
            if (auto removed = installation.accounts().remove(o->name, ctx.actor()); !removed) {
                return ctx.report(removed.error());
            }
            std::cout << "account " << o->name << " removed\n";
            return kExitOk;
        };
    });

    CLI::App* mail = app.get_subcommand("mail");
    auto* fetch =
        mail->add_subcommand("fetch", "One polling round: fetch new mail, file it into tickets");
    fetch->add_option("--account", o->account, "only this mailbox");
    fetch->callback([o, &action] {
        action = [o](CliContext& ctx, services::Installation& installation) {
            return run_fetch(ctx, installation, *o);
        };
    });

    auto* backup = app.add_subcommand("backup", "Email backups: mail that could not be processed");
    backup->require_subcommand(1);
    auto* blist = backup->add_subcommand("list", "List the email backups");
    blist->add_flag("--json", o->json, "print a JSON array");
    blist->callback([o, &action] {
        action = [o](CliContext& ctx, services::Installation& installation) {
            auto backups = installation.incoming().backups();
            if (!backups)
                return ctx.report(backups.error());
            if (o->json) {
                nlohmann::json out = nlohmann::json::array();
                for (const auto& b : *backups)
                    out.push_back(backup_json(b));
                std::cout << json_text(out, 2) << "\n";
                return kExitOk;
            }
            for (const auto& b : *backups) {
                std::cout << b.id << "  " << to_iso8601(b.received_at) << "  " << b.account << "  "
                          << shown(b.from_address) << "  " << shown(b.subject) << "\n    "
                          << shown(b.error) << "\n";
            }
            return kExitOk;
        };
    });
    auto* bshow = backup->add_subcommand("show", "Show one email backup");
    bshow->add_option("id", o->id, "its id")->required()->check(CLI::PositiveNumber);
    bshow->add_flag("--json", o->json, "print JSON");
    bshow->callback([o, &action] {
        action = [o](CliContext& ctx, services::Installation& installation) {
            auto b = installation.incoming().backup(o->id);
            if (!b)
                return ctx.report(b.error());
            if (o->json) {
                std::cout << json_text(backup_json(*b), 2) << "\n";
                return kExitOk;
            }
            std::cout << "email backup " << b->id << "\n  mailbox: " << b->account
                      << "\n  from: " << shown(b->from_address)
                      << "\n  subject: " << shown(b->subject)
                      << "\n  message-id: " << shown(b->message_id) << "\n  size: " << b->size
                      << " bytes\n  received: " << to_iso8601(b->received_at)
                      << "\n  attempts: " << b->attempts << "\n  cause: " << shown(b->error)
                      << "\n";
            return kExitOk;
        };
    });
    auto* download =
        backup->add_subcommand("download", "Write an email backup's raw bytes to a file");
    download->add_option("id", o->id, "its id")->required()->check(CLI::PositiveNumber);
    download->add_option("--out", o->out, "the file to write")->required();
    download->callback([o, &action] {
        action = [o](CliContext& ctx, services::Installation& installation) {
            auto b = installation.incoming().backup(o->id);
            if (!b)
                return ctx.report(b.error());
            if (auto written = write_file_atomic(
                    o->out, b->raw.value_or(""),
                    std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
                !written) {
                return ctx.report(written.error());
            }
            std::cout << "wrote " << b->size << " bytes to " << o->out << "\n";
            return kExitOk;
        };
    });
    auto* retry = backup->add_subcommand("retry", "Process an email backup again");
    retry->add_option("id", o->id, "its id")->required()->check(CLI::PositiveNumber);
    retry->callback([o, &action] {
        action = [o](CliContext& ctx, services::Installation& installation) {
            auto outcome = installation.incoming().retry_backup(o->id, ctx.actor());
            if (!outcome)
                return ctx.report(outcome.error());
            if (!outcome->filed) {
                return ctx.report(
                    Error(Errc::rejected, "email backup " + std::to_string(o->id) +
                                              " still cannot be processed: " + outcome->cause));
            }
            std::cout << outcome_line(*outcome) << "\n";
            return kExitOk;
        };
    });
    auto* bdelete =
        backup->add_subcommand("delete", "Delete an email backup (it is not fetched again)");
    bdelete->add_option("id", o->id, "its id")->required()->check(CLI::PositiveNumber);
    bdelete->callback([o, &action] {
        action = [o](CliContext& ctx, services::Installation& installation) {
            if (auto deleted = installation.incoming().delete_backup(o->id, ctx.actor());
                !deleted) {
                return ctx.report(deleted.error());
            }
            std::cout << "email backup " << o->id << " deleted\n";
            return kExitOk;
        };
    });

    auto* ticket = app.add_subcommand("ticket", "Tickets and their mail");
    ticket->require_subcommand(1);
    auto* tlist = ticket->add_subcommand("list", "List tickets, newest first");
    tlist->add_flag("--json", o->json, "print a JSON array");
    tlist->callback([o, &action] {
        action = [o](CliContext& ctx, services::Installation& installation) {
            auto tickets = installation.tickets().list();
            if (!tickets)
                return ctx.report(tickets.error());
            print_tickets(*tickets, o->json);
            return kExitOk;
        };
    });
    auto* tshow = ticket->add_subcommand("show", "Show a ticket with its mail");
    tshow->add_option("number", o->id, "the ticket number")->required()->check(CLI::PositiveNumber);
    tshow->add_flag("--json", o->json, "print JSON");
    tshow->callback([o, &action] {
        action = [o](CliContext& ctx, services::Installation& installation) {
            auto view = installation.tickets().show(o->id);
            if (!view)
                return ctx.report(view.error());
            print_ticket(*view, o->json);
            return kExitOk;
        };
    });
    auto* attachment =
        ticket->add_subcommand("attachment", "Write an attachment of a ticket's mail to a file");
    attachment->add_option("id", o->id, "the attachment's id (from `ticket show --json`)")
        ->required()
        ->check(CLI::PositiveNumber);
    attachment->add_option("--out", o->out, "the file to write")->required();
    attachment->callback([o, &action] {
        action = [o](CliContext& ctx, services::Installation& installation) {
            auto found = installation.tickets().store().attachment(o->id);
            if (!found)
                return ctx.report(found.error());
            if (!*found)
                return ctx.report(Error(Errc::not_found, "no attachment " + std::to_string(o->id)));
            if (auto written = write_file_atomic(
                    o->out, (*found)->content.value_or(""),
                    std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
                !written) {
                return ctx.report(written.error());
            }
            std::cout << "wrote " << (*found)->size << " bytes (" << shown((*found)->name)
                      << ") to " << o->out << "\n";
            return kExitOk;
        };
    });
    for (const std::string status : {"closed", "open"}) {
        auto* change =
            ticket->add_subcommand(status == "closed" ? "close" : "reopen",
                                   status == "closed" ? "Close a ticket" : "Reopen a ticket");
        change->add_option("number", o->id, "the ticket number")
            ->required()
            ->check(CLI::PositiveNumber);
        change->callback([o, &action, status] {
            action = [o, status](CliContext& ctx, services::Installation& installation) {
                if (auto changed = installation.tickets().set_status(o->id, status, ctx.actor());
                    !changed) {
                    return ctx.report(changed.error());
                }
                std::cout << "ticket " << o->id << " "
                          << (status == "closed" ? "closed" : "reopened") << "\n";
                return kExitOk;
            };
        });
    }
}

}  // namespace casecrypt::cli
