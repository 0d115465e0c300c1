// `casecrypt account add|list|remove`, `mail fetch`, `backup list|show|download|retry|delete`
// and `ticket list|show|attachment|close|reopen`: the incoming side. They parse, call
// services::MailAccounts / PollingRound / IncomingMail / Tickets, and print their typed results
// (incoming_output.h has the JSON and the sentences).
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/incoming_output.h"
#include "cli/password_input.h"
#include "cli/text_table.h"
#include "core/iso_time.h"
#include "core/json_text.h"
#include "core/text.h"
#include "services/view_json.h"

namespace casecrypt::cli {
namespace {

struct IncomingOptions {
    std::string name, url, user, password_file, out, account;
    bool password_stdin = false, json = false;
    long long id = 0;
};

// The edge's hint for an unknown name or id: where the valid ones are listed.
Error with_listing_hint(const Error& error, const std::string& listing) {
    if (error.code() != Errc::not_found)
        return error;
    return with_hint(error, "`" + listing + "` shows them");
}

// A mailbox URL with credentials in it is refused by the service; the CLI says where they go.
Error with_credentials_hint(const Error& error) {
    if (error.code() != Errc::usage ||
        error.message().find("holds a user name or password") == std::string::npos)
        return error;
    return with_hint(error, "give them with --user and --password-file or --password-stdin");
}

std::string join_addresses(const std::optional<std::vector<std::string>>& list) {
    if (!list)
        return "(unreadable)";
    return list->empty() ? "(nobody)" : join(*list, ", ");
}

int run_fetch(CliContext& ctx, services::Installation& installation, const IncomingOptions& o) {
    auto& round = installation.polling_round();
    auto report = round.run({.account = o.account, .deliver = false});
    if (!report)
        return ctx.report(with_listing_hint(report.error(), "account list"));
    if (report->processing_error)
        return ctx.report(*report->processing_error);
    const bool unreadable = report->accounts_unreadable();
    const bool failed = report->totals.failed > 0;
    if (o.json) {
        std::cout << json_text(round_json(*report), 2) << "\n";
    } else {
        for (const auto& account : report->accounts) {
            if (account.error)
                std::cerr << "error: account " << one_line(account.name + ": " + *account.error)
                          << "\n";
            if (!account.polled || (account.error && account.counts.fetched == 0))
                continue;
            std::cout << account.name << ": " << account.counts.fetched << " new mail"
                      << (account.counts.fetched == 1 ? "" : "s") << " stored (" << account.listed
                      << " in the mailbox)\n";
        }
        for (const auto& outcome : report->outcomes)
            std::cout << "  " << shown(outcome_line(outcome)) << "\n";
        std::cout << totals_line(report->totals) << "\n";
    }
    for (const auto& outcome : report->outcomes) {
        if (outcome.outcome == services::MailOutcome::failed)
            std::cerr << "error: " << one_line(outcome_line(outcome)) << "\n";
    }
    return unreadable || failed ? kExitFailure : kExitOk;
}

void print_tickets(const std::vector<services::TicketSummary>& tickets, bool json) {
    if (json) {
        nlohmann::json out = nlohmann::json::array();
        for (const auto& t : tickets)
            out.push_back(ticket_json(t));
        std::cout << json_text(out, 2) << "\n";
        return;
    }
    if (tickets.empty()) {
        std::cout << "no tickets\n";
        return;
    }
    std::vector<std::vector<std::string>> rows;
    for (const auto& t : tickets) {
        rows.push_back({std::to_string(t.number), to_string(t.status), to_iso8601(t.updated),
                        shown(t.customer), shown(t.subject)});
    }
    std::cout << text_table({"NUMBER", "STATUS", "UPDATED", "CUSTOMER", "SUBJECT"}, rows);
}

void print_message(const services::MessageView& m) {
    std::cout << "\n== " << (m.direction == services::MessageDirection::in ? "received" : "sent")
              << " " << to_iso8601(m.date) << " from " << shown(m.from) << "\n"
              << "   to " << shown(join_addresses(m.to))
              << (m.cc && !m.cc->empty() ? " cc " + shown(join_addresses(m.cc)) : "")
              << "\n   subject: " << shown(m.subject) << "\n";
    if (m.encryption) {
        std::cout << "   encrypted (" << shown(m.encryption->cipher) << ", "
                  << (m.encryption->integrity_protected ? "integrity-protected"
                                                        : "not integrity-protected")
                  << ")\n";
    } else {
        std::cout << "   not encrypted\n";
    }
    if (m.signature) {
        const auto& s = *m.signature;
        std::cout << "   signed by " << shown(s.signer) << ": " << (s.valid ? "valid" : "INVALID")
                  << ", " << (s.trusted ? "trusted" : "not trusted") << ", "
                  << (s.matches_from ? "matches From" : "does NOT match From") << "\n";
    }
    for (const auto& note : m.notes)
        std::cout << "   note: " << shown(note) << "\n";
    for (const auto& a : m.attachments) {
        std::cout << "   attachment " << a.id << ": " << shown(a.name) << " ("
                  << shown(a.content_type) << ", " << a.size << " bytes)\n";
    }
    if (m.text)
        std::cout << "\n" << shown_text(*m.text) << "\n";
}

void print_ticket(const services::TicketView& view, bool json) {
    if (json) {
        std::cout << json_text(ticket_json(view), 2) << "\n";
        return;
    }
    const auto& t = view.ticket;
    std::cout << "Ticket " << t.number << " (" << to_string(t.status) << "): " << shown(t.subject)
              << "\n"
              << "customer " << shown(t.customer) << ", created " << to_iso8601(t.created)
              << ", updated " << to_iso8601(t.updated) << "\n";
    if (t.linked_ticket)
        std::cout << "follows up closed ticket " << *t.linked_ticket << "\n";
    for (const auto& m : view.messages)
        print_message(m);
}

}  // namespace

void add_incoming_commands(CLI::App& app, Action& action) {
    auto o = std::make_shared<IncomingOptions>();

    auto* account = app.add_subcommand("account", "Mailboxes incoming mail is fetched from");
    account->require_subcommand(1);
    account->footer("Example:\n  casecrypt account list");
    auto* add = account->add_subcommand(
        "add", "Add a mailbox (imap://, imaps://, pop3://, pop3s://, dir:///)");
    add->add_option("name", o->name, "a name for it (letters, digits, '-', '_', '.'; at most 64)")
        ->required();
    add->add_option("--url", o->url,
                    "where the mail is: imap[s]://host[:port][/FOLDER], pop3[s]://host[:port]/, "
                    "dir:///path (a directory of .eml files)")
        ->required();
    add->add_option("--user", o->user, "login name on the mail server");
    auto* password_file = add->add_option("--password-file", o->password_file,
                                          "file holding the login password (kept sealed)");
    auto* password_stdin = add->add_flag("--password-stdin", o->password_stdin,
                                         "read the login password from standard input");
    password_file->excludes(password_stdin);
    add->footer(
        "Example:\n  casecrypt account add support --url imaps://mail.example.com/INBOX "
        "--user support@example.com --password-file support.pass");
    add->callback([o, &action] {
        action = [o](CliContext& ctx, services::Installation& installation) {
            auto password = read_password(o->password_file, o->password_stdin);
            if (!password)
                return ctx.report(password.error());
            auto added =
                installation.accounts().add(o->name, o->url, o->user, *password, ctx.actor());
            if (!added)
                return ctx.report(with_credentials_hint(added.error()));
            std::cout << "account " << added->name << " added (" << added->url << ")\n";
            return kExitOk;
        };
    });
    auto* list = account->add_subcommand("list", "List the mailboxes");
    list->add_flag("--json", o->json,
                   "print a JSON array (name, url, user, created, last_fetch, last_error)");
    list->footer("Example:\n  casecrypt account list --json");
    list->callback([o, &action] {
        action = [o](CliContext& ctx, services::Installation& installation) {
            auto accounts = installation.accounts().list();
            if (!accounts)
                return ctx.report(accounts.error());
            if (o->json) {
                nlohmann::json out = nlohmann::json::array();
                for (const auto& a : *accounts)
                    out.push_back(account_json(a));
                std::cout << json_text(out, 2) << "\n";
                return kExitOk;
            }
            if (accounts->empty()) {
                std::cout << "no accounts\n";
                return kExitOk;
            }
            std::vector<std::vector<std::string>> rows;
            for (const auto& a : *accounts) {
                rows.push_back({a.name, a.url, a.user.empty() ? "-" : shown(a.user),
                                a.last_fetch ? to_iso8601(*a.last_fetch) : "-",
                                a.last_error.empty() ? "-" : "last error: " + shown(a.last_error)});
            }
            std::cout << text_table({"NAME", "URL", "USER", "LAST FETCH", "LAST ERROR"}, rows);
            return kExitOk;
        };
    });
    auto* remove =
        account->add_subcommand("remove", "Remove a mailbox (mail fetched from it stays)");
    remove->add_option("name", o->name, "the mailbox's name (from `account list`)")->required();
    remove->footer("Example:\n  casecrypt account remove support");
    remove->callback([o, &action] {
        action = [o](CliContext& ctx, services::Installation& installation) {
            if (auto removed = installation.accounts().remove(o->name, ctx.actor()); !removed) {
                return ctx.report(with_listing_hint(removed.error(), "account list"));
            }
            std::cout << "account " << o->name << " removed\n";
            return kExitOk;
        };
    });

    CLI::App* mail = app.get_subcommand("mail");
    auto* fetch =
        mail->add_subcommand("fetch", "One polling round: fetch new mail, file it into tickets");
    fetch->add_option("--account", o->account,
                      "fetch only this mailbox (from `account list`); default: every one");
    fetch->add_flag("--json", o->json,
                    "print the round as one JSON object: fetched, new_tickets, appended, "
                    "backups, duplicates, failed, accounts");
    fetch->footer("Example:\n  casecrypt mail fetch --json");
    fetch->callback([o, &action] {
        action = [o](CliContext& ctx, services::Installation& installation) {
            return run_fetch(ctx, installation, *o);
        };
    });

    auto* backup = app.add_subcommand("backup", "Email backups: mail that could not be processed");
    backup->require_subcommand(1);
    backup->footer("Example:\n  casecrypt backup list");
    auto* blist = backup->add_subcommand("list", "List the email backups, newest first");
    blist->add_flag("--json", o->json,
                    "print a JSON array (id, subject, from, mailbox, cause, size, date, received, "
                    "message_id, attempts)");
    blist->footer("Example:\n  casecrypt backup list --json");
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
            if (backups->empty()) {
                std::cout << "no backups\n";
                return kExitOk;
            }
            std::cout << "ID  RECEIVED  MAILBOX  FROM  SUBJECT\n    CAUSE\n";
            for (const auto& b : *backups) {
                std::cout << b.id << "  " << to_iso8601(b.received) << "  " << b.account << "  "
                          << shown(b.from_address) << "  " << shown(b.subject) << "\n    "
                          << shown(b.cause) << "\n";
            }
            return kExitOk;
        };
    });
    auto* bshow = backup->add_subcommand("show", "Show one email backup");
    bshow->add_option("id", o->id, "the backup's id (from `backup list`)")
        ->required()
        ->check(CLI::PositiveNumber);
    bshow->add_flag("--json", o->json, "print a JSON object (the fields of `backup list --json`)");
    bshow->footer("Example:\n  casecrypt backup show 12");
    bshow->callback([o, &action] {
        action = [o](CliContext& ctx, services::Installation& installation) {
            auto b = installation.incoming().backup(o->id);
            if (!b)
                return ctx.report(with_listing_hint(b.error(), "backup list"));
            if (o->json) {
                std::cout << json_text(backup_json(*b), 2) << "\n";
                return kExitOk;
            }
            std::cout << "email backup " << b->id << "\n  mailbox: " << b->account
                      << "\n  from: " << shown(b->from_address)
                      << "\n  subject: " << shown(b->subject)
                      << "\n  message-id: " << shown(b->message_id) << "\n  size: " << b->size
                      << " bytes\n  received: " << to_iso8601(b->received)
                      << "\n  attempts: " << b->attempts << "\n  cause: " << shown(b->cause)
                      << "\n";
            return kExitOk;
        };
    });
    auto* download =
        backup->add_subcommand("download", "Write an email backup's raw bytes to a file");
    download->add_option("id", o->id, "the backup's id (from `backup list`)")
        ->required()
        ->check(CLI::PositiveNumber);
    download
        ->add_option("--out", o->out,
                     "the file to write (replaced; readable by you only), the mail exactly "
                     "as it was fetched")
        ->required();
    download->footer("Example:\n  casecrypt backup download 12 --out mail-12.eml");
    download->callback([o, &action] {
        action = [o](CliContext& ctx, services::Installation& installation) {
            auto written = installation.incoming().save_backup(o->id, o->out);
            if (!written)
                return ctx.report(with_listing_hint(written.error(), "backup list"));
            std::cout << "wrote " << *written << " bytes to " << o->out << "\n";
            return kExitOk;
        };
    });
    auto* retry = backup->add_subcommand(
        "retry", "Process an email backup again (e.g. after importing a missing certificate)");
    retry->add_option("id", o->id, "the backup's id (from `backup list`)")
        ->required()
        ->check(CLI::PositiveNumber);
    retry->footer("Example:\n  casecrypt backup retry 12");
    retry->callback([o, &action] {
        action = [o](CliContext& ctx, services::Installation& installation) {
            auto outcome = installation.incoming().retry_backup(o->id, ctx.actor());
            if (!outcome)
                return ctx.report(with_listing_hint(outcome.error(), "backup list"));
            if (!outcome->filed()) {
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
    bdelete->add_option("id", o->id, "the backup's id (from `backup list`)")
        ->required()
        ->check(CLI::PositiveNumber);
    bdelete->footer("Example:\n  casecrypt backup delete 12");
    bdelete->callback([o, &action] {
        action = [o](CliContext& ctx, services::Installation& installation) {
            if (auto deleted = installation.incoming().delete_backup(o->id, ctx.actor());
                !deleted) {
                return ctx.report(with_listing_hint(deleted.error(), "backup list"));
            }
            std::cout << "email backup " << o->id << " deleted\n";
            return kExitOk;
        };
    });

    auto* ticket = app.add_subcommand("ticket", "Tickets and their mail");
    ticket->require_subcommand(1);
    ticket->footer("Example:\n  casecrypt ticket list");
    auto* tlist = ticket->add_subcommand("list", "List tickets, newest first");
    tlist->add_flag("--json", o->json,
                    "print a JSON array (number, subject, status, customer, created, updated, "
                    "linked_ticket)");
    tlist->footer("Example:\n  casecrypt ticket list --json");
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
    tshow->add_option("number", o->id, "the ticket number (from `ticket list`)")
        ->required()
        ->check(CLI::PositiveNumber);
    tshow->add_flag("--json", o->json,
                    "print a JSON object: the ticket's fields and its messages (direction, "
                    "addresses, text, html, attachments, encryption, signature, report, notes)");
    tshow->footer("Example:\n  casecrypt ticket show 3");
    tshow->callback([o, &action] {
        action = [o](CliContext& ctx, services::Installation& installation) {
            auto view = installation.tickets().show(o->id);
            if (!view)
                return ctx.report(with_listing_hint(view.error(), "ticket list"));
            print_ticket(*view, o->json);
            return kExitOk;
        };
    });
    auto* attachment =
        ticket->add_subcommand("attachment", "Write an attachment of a ticket's mail to a file");
    attachment->add_option("id", o->id, "the attachment's id (from `ticket show`)")
        ->required()
        ->check(CLI::PositiveNumber);
    attachment->add_option("--out", o->out, "the file to write (replaced; readable by you only)")
        ->required();
    attachment->footer("Example:\n  casecrypt ticket attachment 7 --out report.pdf");
    attachment->callback([o, &action] {
        action = [o](CliContext& ctx, services::Installation& installation) {
            auto saved = installation.tickets().save_attachment(o->id, o->out);
            if (!saved)
                return ctx.report(saved.error());
            std::cout << "wrote " << saved->size << " bytes (" << shown(saved->name) << ") to "
                      << o->out << "\n";
            return kExitOk;
        };
    });
    for (const auto status : {services::TicketStatus::closed, services::TicketStatus::open}) {
        const bool close = status == services::TicketStatus::closed;
        auto* change = ticket->add_subcommand(close ? "close" : "reopen",
                                              close ? "Close a ticket" : "Reopen a ticket");
        change->add_option("number", o->id, "the ticket number (from `ticket list`)")
            ->required()
            ->check(CLI::PositiveNumber);
        change->footer(close ? "Example:\n  casecrypt ticket close 3"
                             : "Example:\n  casecrypt ticket reopen 3");
        change->callback([o, &action, status, close] {
            action = [o, status, close](CliContext& ctx, services::Installation& installation) {
                if (auto changed = installation.tickets().set_status(o->id, status, ctx.actor());
                    !changed) {
                    return ctx.report(with_listing_hint(changed.error(), "ticket list"));
                }
                std::cout << "ticket " << o->id << " " << (close ? "closed" : "reopened") << "\n";
                return kExitOk;
            };
        });
    }
}

}  // namespace casecrypt::cli
