// `casecrypt workflow ...`: administrators' scripts that react to tickets (docs/workflows.md):
// add, list, show, update, enable, disable, remove, run one by hand (or decide only, with
// --dry-run) and read the record of runs. They parse, call services::Workflows, and print.
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/text_table.h"
#include "core/file_io.h"
#include "core/iso_time.h"
#include "core/json_text.h"
#include "core/text.h"
#include "services/view_json.h"

namespace casecrypt::cli {
namespace {

// Larger than the service's limit (256 KiB), so the service says what the limit is.
constexpr std::size_t kMaxScriptFile = 1024 * 1024;

struct WorkflowOptions {
    std::string name;
    std::string event;
    std::string file;
    int every = 0;  // 0: not given
    bool disabled = false;
    bool json = false;
    long long ticket = 0;  // 0: not given
    bool dry_run = false;
    int limit = 20;
};

std::vector<std::string> event_words() {
    using services::WorkflowEvent;
    std::vector<std::string> words;
    for (const auto e :
         {WorkflowEvent::ticket_created, WorkflowEvent::email_received,
          WorkflowEvent::ticket_closed, WorkflowEvent::ticket_reopened, WorkflowEvent::timer}) {
        words.push_back(services::to_string(e));
    }
    return words;
}

// FILE, or standard input for "-".
Result<std::string> read_script(const std::string& file) {
    if (file == "-")
        return read_stream(std::cin, "standard input", kMaxScriptFile);
    return read_file(file, kMaxScriptFile);
}

std::string event_text(const services::WorkflowView& w) {
    std::string text = services::to_string(w.event);
    if (w.every_minutes)
        text += " every " + std::to_string(*w.every_minutes) + " min";
    return text;
}

// "2026-12-07T17:20:00Z ok (event, ticket 3, 1 mail)" or "... failed (...): ack:4: boom".
std::string run_line(const services::WorkflowRunView& r) {
    std::string line = to_iso8601(r.started) + " " + services::to_string(r.outcome) + " (" +
                       r.actor + (r.ticket ? ", ticket " + std::to_string(*r.ticket) : "") + ", " +
                       std::to_string(r.mails) + (r.mails == 1 ? " mail" : " mails") +
                       (r.dry_run ? ", dry run" : "") + ")";
    if (!r.error.empty())
        line += ": " + r.error;
    return shown(line);
}

void print_report(const services::SendReport& r, bool dry_run) {
    std::cout << (dry_run ? "would send" : "sent")
              << (r.mail_id.empty() ? std::string() : " <" + r.mail_id + ">") << ": "
              << (r.rejected()  ? "rejected"
                  : r.encrypted ? "encrypted"
                                : "unencrypted")
              << "; " << shown(r.sentence) << "\n";
    for (const auto& rec : r.recipients) {
        std::cout << "  " << services::to_string(rec.kind) << " " << shown(rec.address) << ": "
                  << shown(services::to_string(rec.outcome)) << "\n";
    }
}

int print_run(const services::WorkflowRunView& r, bool json) {
    if (json) {
        std::cout << json_text(services::workflow_run_json(r), 2) << "\n";
    } else {
        for (const auto& report : r.reports)
            print_report(report, r.dry_run);
        for (const auto& line : r.log)
            std::cout << "log: " << shown(line) << "\n";
        std::cout << "workflow " << shown(r.workflow) << ": " << run_line(r) << "\n";
    }
    return r.outcome == services::WorkflowRunOutcome::ok ? kExitOk : kExitFailure;
}

void print_workflow(const services::WorkflowView& w,
                    const std::vector<services::WorkflowRunView>& runs) {
    std::cout << "name: " << w.name << "\nevent: " << event_text(w)
              << "\nenabled: " << (w.enabled ? "yes" : "no") << "\n";
    if (w.next_run)
        std::cout << "next run: " << to_iso8601(*w.next_run) << "\n";
    std::cout << "updated: " << to_iso8601(w.updated) << " by " << shown(w.updated_by) << "\n";
    std::cout << "last runs:" << (runs.empty() ? " none" : "") << "\n";
    for (const auto& r : runs)
        std::cout << "  " << run_line(r) << "\n";
    std::cout << "script:\n" << shown_text(w.script);
    if (!w.script.empty() && w.script.back() != '\n')
        std::cout << "\n";
}

// Runs `body` as the action of `command` once parsing succeeded.
template <typename Body>
void on_run(CLI::App* command, Action& action, std::shared_ptr<WorkflowOptions> o, Body body) {
    command->callback([o, &action, body] {
        action = [o, body](CliContext& ctx, services::Installation& installation) {
            return body(ctx, installation.workflows(), *o);
        };
    });
}

void add_name(CLI::App* command, WorkflowOptions& o) {
    command->add_option("NAME", o.name, "the workflow's name (from `workflow list`)")->required();
}

void add_add_command(CLI::App* group, Action& action, std::shared_ptr<WorkflowOptions> o) {
    auto* add = group->add_subcommand("add", "Add a workflow: a Lua script run on an event");
    add->add_option("NAME", o->name, "its name: 1 to 64 of A-Z a-z 0-9 . _ -")->required();
    add->add_option("--on", o->event, "the event that runs it")
        ->required()
        ->check(CLI::IsMember(event_words()));
    add->add_option("FILE", o->file, "the Lua script (- for standard input)")->required();
    add->add_option("--every", o->every, "timer workflows: the period in minutes")
        ->check(CLI::Range(1, 44640));
    add->add_flag("--disabled", o->disabled, "add it switched off (enable it later)");
    add->footer(
        "The script is compiled first: a syntax error is refused naming its line (exit 3).\n"
        "Events: ticket-created, email-received, ticket-closed, ticket-reopened, timer.\n"
        "Example:\n  casecrypt workflow add acknowledge --on ticket-created acknowledge.lua");
    on_run(add, action, o,
           [](CliContext& ctx, services::Workflows& workflows, const WorkflowOptions& o) {
               auto event = services::workflow_event_from(o.event);
               if (!event)
                   return ctx.report(event.error());
               auto script = read_script(o.file);
               if (!script)
                   return ctx.report(script.error());
               services::WorkflowDraft draft{.name = o.name,
                                             .event = *event,
                                             .every_minutes = std::nullopt,
                                             .script = std::move(*script),
                                             .enabled = !o.disabled};
               if (o.every > 0)
                   draft.every_minutes = o.every;
               auto added = workflows.add(draft, ctx.actor());
               if (!added)
                   return ctx.report(added.error());
               std::cout << "workflow " << added->name << " added (" << event_text(*added) << ", "
                         << (added->enabled ? "enabled" : "disabled") << ")\n";
               return kExitOk;
           });
}

void add_read_commands(CLI::App* group, Action& action, std::shared_ptr<WorkflowOptions> o) {
    auto* list = group->add_subcommand("list", "List the workflows with their last run");
    list->add_flag("--json", o->json, "print a JSON array");
    list->footer("Example:\n  casecrypt workflow list");
    on_run(list, action, o,
           [](CliContext& ctx, services::Workflows& workflows, const WorkflowOptions& o) {
               auto views = workflows.list();
               if (!views)
                   return ctx.report(views.error());
               if (o.json) {
                   nlohmann::json out = nlohmann::json::array();
                   for (const auto& w : *views)
                       out.push_back(services::workflow_json(w));
                   std::cout << json_text(out, 2) << "\n";
                   return kExitOk;
               }
               if (views->empty()) {
                   std::cout << "no workflows\n";
                   return kExitOk;
               }
               std::vector<std::vector<std::string>> rows;
               for (const auto& w : *views) {
                   rows.push_back({w.name, event_text(w), w.enabled ? "yes" : "no",
                                   w.last_run ? run_line(*w.last_run) : "never"});
               }
               std::cout << text_table({"NAME", "EVENT", "ENABLED", "LAST RUN"}, rows);
               return kExitOk;
           });

    auto* show = group->add_subcommand(
        "show", "Show a workflow: its event, period, switch, script and last runs");
    add_name(show, *o);
    show->add_flag("--json", o->json, "print a JSON object (with \"runs\", the newest first)");
    show->footer("Example:\n  casecrypt workflow show acknowledge");
    on_run(show, action, o,
           [](CliContext& ctx, services::Workflows& workflows, const WorkflowOptions& o) {
               auto view = workflows.get(o.name);
               if (!view)
                   return ctx.report(view.error());
               constexpr int kLastRuns = 5;
               auto runs = workflows.runs(o.name, kLastRuns);
               if (!runs)
                   return ctx.report(runs.error());
               if (o.json) {
                   auto j = services::workflow_json(*view);
                   j["runs"] = nlohmann::json::array();
                   for (const auto& r : *runs)
                       j["runs"].push_back(services::workflow_run_json(r));
                   std::cout << json_text(j, 2) << "\n";
                   return kExitOk;
               }
               print_workflow(*view, *runs);
               return kExitOk;
           });

    auto* runs = group->add_subcommand("runs", "The record of runs, the newest first");
    runs->add_option("NAME", o->name, "only this workflow's runs (default: every workflow's)");
    runs->add_option("--limit", o->limit, "how many runs")
        ->check(CLI::Range(1, 1000))
        ->capture_default_str();
    runs->add_flag("--json", o->json, "print a JSON array");
    runs->footer("Example:\n  casecrypt workflow runs acknowledge --limit 5");
    on_run(runs, action, o,
           [](CliContext& ctx, services::Workflows& workflows, const WorkflowOptions& o) {
               auto found = workflows.runs(o.name, o.limit);
               if (!found)
                   return ctx.report(found.error());
               if (o.json) {
                   nlohmann::json out = nlohmann::json::array();
                   for (const auto& r : *found)
                       out.push_back(services::workflow_run_json(r));
                   std::cout << json_text(out, 2) << "\n";
                   return kExitOk;
               }
               if (found->empty()) {
                   std::cout << "no runs\n";
                   return kExitOk;
               }
               std::vector<std::vector<std::string>> rows;
               for (const auto& r : *found) {
                   rows.push_back({to_iso8601(r.started), shown(r.workflow),
                                   services::to_string(r.event),
                                   r.ticket ? std::to_string(*r.ticket) : "-",
                                   services::to_string(r.outcome) + (r.dry_run ? " (dry run)" : ""),
                                   std::to_string(r.mails), shown(r.error)});
               }
               std::cout << text_table(
                   {"STARTED", "WORKFLOW", "EVENT", "TICKET", "OUTCOME", "MAILS", "ERROR"}, rows);
               return kExitOk;
           });
}

void add_change_commands(CLI::App* group, Action& action, std::shared_ptr<WorkflowOptions> o) {
    auto* update = group->add_subcommand("update", "Replace a workflow's script");
    add_name(update, *o);
    update->add_option("FILE", o->file, "the new Lua script (- for standard input)")->required();
    update->add_option("--every", o->every, "timer workflows: a new period in minutes")
        ->check(CLI::Range(1, 44640));
    update->footer(
        "The script is compiled first: a syntax error is refused naming its line (exit 3)\n"
        "and the old script stays.\n"
        "Example:\n  casecrypt workflow update acknowledge acknowledge.lua");
    on_run(update, action, o,
           [](CliContext& ctx, services::Workflows& workflows, const WorkflowOptions& o) {
               auto script = read_script(o.file);
               if (!script)
                   return ctx.report(script.error());
               auto updated = workflows.update_script(o.name, *script, ctx.actor());
               if (!updated)
                   return ctx.report(updated.error());
               if (o.every > 0) {
                   auto period = workflows.set_period(o.name, o.every, ctx.actor());
                   if (!period)
                       return ctx.report(period.error());
               }
               std::cout << "workflow " << o.name << " updated\n";
               return kExitOk;
           });

    for (const bool enable : {true, false}) {
        auto* change = group->add_subcommand(
            enable ? "enable" : "disable",
            enable ? "Switch a workflow on" : "Switch a workflow off (it stays, with its runs)");
        add_name(change, *o);
        change->footer(enable ? "Example:\n  casecrypt workflow enable acknowledge"
                              : "Example:\n  casecrypt workflow disable acknowledge");
        on_run(change, action, o,
               [enable](CliContext& ctx, services::Workflows& workflows, const WorkflowOptions& o) {
                   if (auto set = workflows.set_enabled(o.name, enable, ctx.actor()); !set)
                       return ctx.report(set.error());
                   std::cout << "workflow " << o.name << (enable ? " enabled\n" : " disabled\n");
                   return kExitOk;
               });
    }

    auto* remove = group->add_subcommand("remove", "Remove a workflow and its record of runs");
    add_name(remove, *o);
    remove->footer("Example:\n  casecrypt workflow remove acknowledge");
    on_run(remove, action, o,
           [](CliContext& ctx, services::Workflows& workflows, const WorkflowOptions& o) {
               if (auto removed = workflows.remove(o.name, ctx.actor()); !removed)
                   return ctx.report(removed.error());
               std::cout << "workflow " << o.name << " removed\n";
               return kExitOk;
           });
}

void add_run_command(CLI::App* group, Action& action, std::shared_ptr<WorkflowOptions> o) {
    auto* run = group->add_subcommand(
        "run", "Run a workflow now, as its event would, enabled or not (for testing)");
    add_name(run, *o);
    run->add_option("--ticket", o->ticket, "the ticket it runs for (not for timer workflows)")
        ->check(CLI::PositiveNumber);
    run->add_flag("--dry-run", o->dry_run,
                  "decide every mail (recipients, encrypted or not) and send none, change no "
                  "ticket");
    run->add_flag("--json", o->json, "print the run as JSON (with \"reports\", one per mail)");
    run->footer(
        "Prints each mail it sent (or would send) with its recipients, encrypted or not and\n"
        "why, the script's log lines and the outcome. Exit 1 when the run failed or was\n"
        "stopped (the error names the script's line).\n"
        "Example:\n  casecrypt workflow run acknowledge --ticket 3 --dry-run");
    on_run(run, action, o,
           [](CliContext& ctx, services::Workflows& workflows, const WorkflowOptions& o) {
               auto ran = workflows.run(
                   o.name, o.ticket > 0 ? std::optional<long long>(o.ticket) : std::nullopt,
                   o.dry_run, ctx.actor());
               if (!ran)
                   return ctx.report(ran.error());
               return print_run(*ran, o.json);
           });
}

}  // namespace

void add_workflow_commands(CLI::App& app, Action& action) {
    auto o = std::make_shared<WorkflowOptions>();
    auto* group = app.add_subcommand(
        "workflow", "Manage workflows: Lua scripts that react to tickets and send mail");
    group->require_subcommand(1);
    group->footer(
        "Scripts and their API: docs/workflows.md.\n"
        "Example:\n  casecrypt workflow add acknowledge --on ticket-created acknowledge.lua");
    add_add_command(group, action, o);
    add_read_commands(group, action, o);
    add_change_commands(group, action, o);
    add_run_command(group, action, o);
}

}  // namespace casecrypt::cli
