// Workflows: administrators' scripts that react to tickets (DESIGN.md, "workflow"). This service
// keeps the scripts, the events that fire them and the record of every run; the language
// itself is behind ScriptEngine, which the workflow module implements with Lua and the
// composition root hands in (InstallationOptions::script_engine), so services never see Lua.
//
// Events are recorded by the services that cause them (IncomingMail files a mail, Tickets
// changes a status) inside their own transaction, and only when an enabled workflow listens to
// that event; after the commit, the same use case calls dispatch_pending(), which claims each
// event once (several processes may dispatch on one database) and runs its workflows. So a
// script runs after what fired it is durable, and a script that fails never undoes it.
// A run's own actions (a status it sets) raise events too, up to kMaxEventDepth deep; deeper
// ones are recorded as stopped runs, so two workflows cannot ping-pong for ever.
//
// Timers: run_due_timers() runs each enabled `timer` workflow whose period has come, claiming
// the period with a compare-and-set on the workflow's next run, so with several `serve`
// processes on one database each period runs once.
//
// Not thread-safe (one database connection); one per Installation.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/error.h"
#include "services/send_report.h"

namespace casecrypt::store {
class AuditLog;
class Database;
class TicketStore;
class WorkflowStore;
struct WorkflowRecord;
}  // namespace casecrypt::store

namespace casecrypt::services {

class Installation;

enum class WorkflowEvent { ticket_created, email_received, ticket_closed, ticket_reopened, timer };
// "ticket-created", "email-received", "ticket-closed", "ticket-reopened", "timer"
std::string to_string(WorkflowEvent event);
// Errc::rejected naming the accepted words.
Result<WorkflowEvent> workflow_event_from(std::string_view word);

enum class WorkflowRunOutcome {
    ok,       // the script ran to its end
    failed,   // it raised an error (a Lua error, a refused mail, a sandbox refusal)
    stopped,  // it ran out of its instruction budget or memory, or its event was too deep
    running,  // still running, or its process died during the run (nothing says how it ended)
};
std::string to_string(WorkflowRunOutcome outcome);  // "ok", "failed", "stopped", "running"

// One run of one workflow, as the admin page lists it.
struct WorkflowRunView {
    long long id = 0;
    std::string workflow;
    WorkflowEvent event = WorkflowEvent::ticket_created;
    std::optional<long long> ticket;
    TimePoint started{};
    std::optional<TimePoint> finished;  // none while it runs (or when its process died in it)
    WorkflowRunOutcome outcome = WorkflowRunOutcome::ok;
    std::string error;             // empty for ok: "<name>:<line>: <message>" as Lua says it
    std::optional<int> line;       // the script's line the error names
    std::vector<std::string> log;  // workflowAPI.log lines and what the run did
    int mails = 0;                 // mails sent (dry run: that would have been sent)
    // Each mail's report (dry run: what it would do), as run() returns it; a run read back from
    // the store may carry none (`mails` still counts them).
    std::vector<SendReport> reports;
    bool dry_run = false;
    std::string actor;  // "event", "timer", or who ran it by hand ("cli:root", an admin's login)
};

struct WorkflowView {
    long long id = 0;
    std::string name;
    WorkflowEvent event = WorkflowEvent::ticket_created;
    std::optional<int> every_minutes;  // timer workflows only
    bool enabled = true;
    std::string script;
    TimePoint created{};
    TimePoint updated{};
    std::string updated_by;
    std::optional<TimePoint> next_run;  // timer workflows: when the next period starts
    std::optional<WorkflowRunView> last_run;
};

// What `workflow add` / POST /api/workflows asks for.
struct WorkflowDraft {
    std::string name;  // [A-Za-z0-9._-], 1..64 characters
    WorkflowEvent event = WorkflowEvent::ticket_created;
    std::optional<int> every_minutes;  // required for timer (1..44640), refused otherwise
    std::string script;                // UTF-8, at most 256 KiB
    bool enabled = true;
};

// A script that does not compile: Lua's message and the line it names.
struct ScriptProblem {
    std::string message;      // "<name>:3: '=' expected near 'x'"
    std::optional<int> line;  // 3
};

// What one run is for.
struct WorkflowTrigger {
    WorkflowEvent event = WorkflowEvent::ticket_created;
    std::optional<long long> ticket;          // none for timer runs
    std::optional<long long> ticket_message;  // the mail that fired created / received
    bool dry_run =
        false;      // decide every mail, send none, change no ticket (`workflow run --dry-run`)
    int depth = 0;  // how many runs led to this event (0: a mail, a person or a timer)
};

// What a run did, as the engine reports it. Workflows records it.
struct WorkflowRunResult {
    WorkflowRunOutcome outcome = WorkflowRunOutcome::ok;
    std::string error;
    std::optional<int> line;
    std::vector<std::string> log;
    std::vector<SendReport> mails;  // each mail sent; dry run: decided and not sent
};

// The script language, implemented by the workflow module (workflow/lua_engine.h).
class ScriptEngine {
public:
    virtual ~ScriptEngine() = default;
    // nullopt when `source` compiles; `name` is the chunk name in the messages.
    virtual std::optional<ScriptProblem> check(const std::string& name,
                                               const std::string& source) = 0;
    // Runs the workflow's script for one trigger, in a fresh sandbox, with the budgets of the
    // properties workflow.script.max.instructions / workflow.script.max.memory.mib. Never
    // throws; every failure is in the result.
    virtual WorkflowRunResult run(const WorkflowView& workflow, const WorkflowTrigger& trigger) = 0;
};

// Made once per Installation, after its services exist (the engine calls them back).
using ScriptEngineFactory = std::function<std::unique_ptr<ScriptEngine>(Installation&)>;

inline constexpr int kMaxEventDepth = 4;

class Workflows {
public:
    Workflows(store::Database& database, store::WorkflowStore& store, store::TicketStore& tickets,
              store::AuditLog& audit, const Clock& clock);
    ~Workflows();

    // Set by Installation::open from InstallationOptions::script_engine. Without one, adding,
    // updating, checking and running scripts is Errc::internal; events are still recorded.
    void set_engine(std::unique_ptr<ScriptEngine> engine);
    bool has_engine() const { return m_engine != nullptr; }

    // Name order, each with its last run.
    Result<std::vector<WorkflowView>> list();
    // Errc::not_found for an unknown name.
    Result<WorkflowView> get(const std::string& name);
    // The script is compiled first: Errc::rejected "the script does not compile: <name>:<line>:
    // ..." (check() gives the line separately). Errc::conflict for a name in use; Errc::rejected
    // for a bad name, period or an oversized script. Audited as workflow.add.
    Result<WorkflowView> add(const WorkflowDraft& draft, const std::string& actor);
    // A new script (compiled first, as add). Audited as workflow.update.
    Result<WorkflowView> update_script(const std::string& name, const std::string& script,
                                       const std::string& actor);
    // A timer's period (Errc::rejected for any other event). Audited as workflow.update.
    Result<WorkflowView> set_period(const std::string& name, int every_minutes,
                                    const std::string& actor);
    // Audited as workflow.enable / workflow.disable.
    Result<void> set_enabled(const std::string& name, bool enabled, const std::string& actor);
    // The workflow and its runs. Audited as workflow.remove.
    Result<void> remove(const std::string& name, const std::string& actor);
    // nullopt when the script compiles (the editor's check before saving).
    Result<std::optional<ScriptProblem>> check(const std::string& name, const std::string& script);

    // `workflow run NAME --ticket N [--dry-run]`: runs it now as its event would, for that
    // ticket (timer workflows: no ticket needed), enabled or not; recorded as a run by `actor`
    // and audited as workflow.run unless it is a dry run. Errc::not_found for an unknown
    // workflow or ticket.
    Result<WorkflowRunView> run(const std::string& name, std::optional<long long> ticket,
                                bool dry_run, const std::string& actor);
    // The newest runs first; `name` empty: of every workflow. limit 1..1000.
    Result<std::vector<WorkflowRunView>> runs(const std::string& name, int limit);

    // --- for the services that raise events (IncomingMail, Tickets) and for `serve` ---

    // Records the event when an enabled workflow listens to it; joins the caller's transaction.
    Result<void> record(WorkflowEvent event, long long ticket,
                        std::optional<long long> ticket_message = std::nullopt);
    // Runs the workflows of every committed event not run yet, oldest first, each event once
    // across all processes; how many runs. Call with no transaction open. Reentrant calls (a
    // script's own status change) return 0: the outer call takes their events.
    Result<int> dispatch_pending();
    // Runs each timer workflow whose period has come, once per period across all processes;
    // how many ran. The next period starts every_minutes after the one that ran.
    Result<int> run_due_timers();
    // When the next timer is due (serve sleeps no longer than that); none without timers.
    Result<std::optional<TimePoint>> next_timer();

private:
    // The workflow's view with its newest run.
    Result<WorkflowView> with_last_run(const store::WorkflowRecord& record);
    Result<WorkflowRunView> run_and_record(const WorkflowView& workflow,
                                           const WorkflowTrigger& trigger,
                                           const std::string& actor);

    store::Database& m_database;
    store::WorkflowStore& m_store;
    store::TicketStore& m_tickets;
    store::AuditLog& m_audit;
    const Clock& m_clock;
    std::unique_ptr<ScriptEngine> m_engine;
    bool m_dispatching = false;
    bool m_running = false;  // a script runs now (its actions' events are one level deeper)
    int m_depth = 0;         // the depth of the run in progress; events it raises get m_depth + 1
};

}  // namespace casecrypt::services
