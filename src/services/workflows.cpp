#include "services/workflows.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "core/iso_time.h"
#include "core/json_text.h"
#include "core/log.h"
#include "core/text.h"
#include "store/audit_log.h"
#include "store/database.h"
#include "store/guarded.h"
#include "store/ticket_store.h"
#include "store/workflow_store.h"

namespace casecrypt::services {
namespace {

constexpr std::size_t kMaxScriptBytes = 256 * 1024;
constexpr int kMaxPeriodMinutes = 44640;  // 31 days

constexpr std::pair<WorkflowEvent, const char*> kEventWords[] = {
    {WorkflowEvent::ticket_created, "ticket-created"},
    {WorkflowEvent::email_received, "email-received"},
    {WorkflowEvent::ticket_closed, "ticket-closed"},
    {WorkflowEvent::ticket_reopened, "ticket-reopened"},
    {WorkflowEvent::timer, "timer"},
};

Result<void> valid_name(const std::string& name) {
    const bool ok =
        !name.empty() && name.size() <= 64 && std::all_of(name.begin(), name.end(), [](char c) {
            return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                   c == '.' || c == '_' || c == '-';
        });
    if (!ok) {
        return fail(Errc::rejected,
                    "a workflow name is 1 to 64 letters, digits, '.', '_' or "
                    "'-', not \"" +
                        name + "\"");
    }
    return {};
}

Result<void> valid_period(WorkflowEvent event, std::optional<int> every) {
    if (event == WorkflowEvent::timer) {
        if (!every)
            return fail(Errc::rejected, "a timer workflow needs its period in minutes (--every)");
        if (*every < 1 || *every > kMaxPeriodMinutes) {
            return fail(Errc::rejected, "a timer's period is 1 to " +
                                            std::to_string(kMaxPeriodMinutes) + " minutes, not " +
                                            std::to_string(*every));
        }
    } else if (every) {
        return fail(Errc::rejected,
                    "only timer workflows have a period; this one reacts to " + to_string(event));
    }
    return {};
}

std::vector<std::string> log_lines(const std::string& json) {
    std::vector<std::string> out;
    auto parsed = nlohmann::json::parse(json, nullptr, false);
    if (parsed.is_array()) {
        for (const auto& line : parsed) {
            if (line.is_string())
                out.push_back(line.get<std::string>());
        }
    }
    return out;
}

// The word a run was stored with (to_string's), back; an unknown word reads as running.
WorkflowRunOutcome outcome_from(const std::string& word) {
    for (auto outcome :
         {WorkflowRunOutcome::ok, WorkflowRunOutcome::failed, WorkflowRunOutcome::stopped}) {
        if (word == to_string(outcome))
            return outcome;
    }
    return WorkflowRunOutcome::running;
}

WorkflowRunView run_view(const store::WorkflowRunRecord& r) {
    WorkflowRunView v;
    v.id = r.id;
    v.workflow = r.workflow;
    v.event = workflow_event_from(r.event).value_or(WorkflowEvent::ticket_created);
    v.ticket = r.ticket;
    v.started = from_iso8601(r.started_at).value_or(TimePoint{});
    if (r.finished_at)
        v.finished = from_iso8601(*r.finished_at);
    v.outcome = outcome_from(r.outcome);
    v.error = r.error;
    v.line = r.line;
    v.log = log_lines(r.log_json);
    v.mails = r.mails;
    v.dry_run = r.dry_run;
    v.actor = r.actor;
    return v;
}

WorkflowView view_of(const store::WorkflowRecord& r) {
    WorkflowView v;
    v.id = r.id;
    v.name = r.name;
    v.event = workflow_event_from(r.event).value_or(WorkflowEvent::ticket_created);
    v.every_minutes = r.every_minutes;
    v.enabled = r.enabled;
    v.script = r.script;
    v.created = from_iso8601(r.created_at).value_or(TimePoint{});
    v.updated = from_iso8601(r.updated_at).value_or(TimePoint{});
    v.updated_by = r.updated_by;
    if (r.next_run_at)
        v.next_run = from_iso8601(*r.next_run_at);
    return v;
}

}  // namespace

std::string to_string(WorkflowEvent event) {
    for (const auto& [value, word] : kEventWords) {
        if (value == event)
            return word;
    }
    return "ticket-created";
}

Result<WorkflowEvent> workflow_event_from(std::string_view word) {
    for (const auto& [value, w] : kEventWords) {
        if (word == w)
            return value;
    }
    return fail(Errc::rejected, "unknown workflow event \"" + std::string(word) +
                                    "\"; one of ticket-created, email-received, ticket-closed, "
                                    "ticket-reopened, timer");
}

std::string to_string(WorkflowRunOutcome outcome) {
    switch (outcome) {
        case WorkflowRunOutcome::ok:
            return "ok";
        case WorkflowRunOutcome::failed:
            return "failed";
        case WorkflowRunOutcome::stopped:
            return "stopped";
        case WorkflowRunOutcome::running:
            return "running";
    }
    return "running";
}

Workflows::Workflows(store::Database& database, store::WorkflowStore& store,
                     store::TicketStore& tickets, store::AuditLog& audit, const Clock& clock)
    : m_database(database), m_store(store), m_tickets(tickets), m_audit(audit), m_clock(clock) {}

Workflows::~Workflows() = default;

void Workflows::set_engine(std::unique_ptr<ScriptEngine> engine) {
    m_engine = std::move(engine);
}

Result<std::vector<WorkflowView>> Workflows::list() {
    auto records = m_store.list();
    if (!records)
        return std::unexpected(records.error());
    std::vector<WorkflowView> out;
    for (const auto& r : *records) {
        auto v = with_last_run(r);
        if (!v)
            return std::unexpected(v.error());
        out.push_back(std::move(*v));
    }
    return out;
}

Result<WorkflowView> Workflows::get(const std::string& name) {
    auto found = m_store.find(name);
    if (!found)
        return std::unexpected(found.error());
    if (!*found)
        return fail(Errc::not_found, "no workflow " + name);
    return with_last_run(**found);
}

Result<WorkflowView> Workflows::with_last_run(const store::WorkflowRecord& record) {
    WorkflowView v = view_of(record);
    auto last = m_store.runs(record.id, 1);
    if (!last)
        return std::unexpected(last.error());
    if (!last->empty())
        v.last_run = run_view(last->front());
    return v;
}

Result<std::optional<ScriptProblem>> Workflows::check(const std::string& name,
                                                      const std::string& script) {
    if (!m_engine)
        return fail(Errc::internal, "this process has no script engine");
    if (script.size() > kMaxScriptBytes) {
        return fail(Errc::rejected, "a workflow script is at most 256 KiB; this one has " +
                                        std::to_string(script.size()) + " bytes");
    }
    if (!is_valid_utf8(script))
        return fail(Errc::rejected, "the script is not valid UTF-8");
    return m_engine->check(name.empty() ? std::string("workflow") : name, script);
}

namespace {
Result<void> compiles(Result<std::optional<ScriptProblem>> problem) {
    if (!problem)
        return std::unexpected(problem.error());
    if (*problem)
        return fail(Errc::rejected, "the script does not compile: " + (*problem)->message);
    return {};
}
}  // namespace

Result<WorkflowView> Workflows::add(const WorkflowDraft& draft, const std::string& actor) {
    if (auto ok = valid_name(draft.name); !ok)
        return std::unexpected(ok.error());
    if (auto ok = valid_period(draft.event, draft.every_minutes); !ok)
        return std::unexpected(ok.error());
    if (auto ok = compiles(check(draft.name, draft.script)); !ok)
        return std::unexpected(ok.error());
    const TimePoint now = m_clock.now();
    store::WorkflowRecord r;
    r.name = draft.name;
    r.event = to_string(draft.event);
    r.every_minutes = draft.every_minutes;
    r.enabled = draft.enabled;
    r.script = draft.script;
    r.created_at = r.updated_at = to_iso8601(now);
    r.updated_by = actor;
    if (draft.every_minutes)
        r.next_run_at = to_iso8601(now + std::chrono::minutes(*draft.every_minutes));
    auto added = store::in_transaction(m_database, "adding a workflow", [&]() -> Result<void> {
        auto id = m_store.add(r);
        if (!id)
            return std::unexpected(id.error());
        return m_audit.record(now, actor, "workflow.add", r.name + " (" + r.event + ")");
    });
    if (!added)
        return std::unexpected(added.error());
    return get(draft.name);
}

namespace {
// Loads, changes and writes back one workflow with an audit entry, in one transaction.
template <typename Change>
Result<void> change_workflow(store::Database& database, store::WorkflowStore& store,
                             store::AuditLog& audit, const Clock& clock, const std::string& name,
                             const std::string& actor, const std::string& action, Change&& change) {
    return store::in_transaction(database, "changing a workflow", [&]() -> Result<void> {
        auto found = store.find(name);
        if (!found)
            return std::unexpected(found.error());
        if (!*found)
            return fail(Errc::not_found, "no workflow " + name);
        store::WorkflowRecord r = **found;
        if (auto changed = change(r); !changed)
            return std::unexpected(changed.error());
        r.updated_at = to_iso8601(clock.now());
        r.updated_by = actor;
        if (auto updated = store.update(r); !updated)
            return std::unexpected(updated.error());
        return audit.record(clock.now(), actor, action, name);
    });
}
}  // namespace

Result<WorkflowView> Workflows::update_script(const std::string& name, const std::string& script,
                                              const std::string& actor) {
    if (auto ok = compiles(check(name, script)); !ok)
        return std::unexpected(ok.error());
    auto done = change_workflow(m_database, m_store, m_audit, m_clock, name, actor,
                                "workflow.update", [&](store::WorkflowRecord& r) -> Result<void> {
                                    r.script = script;
                                    return {};
                                });
    if (!done)
        return std::unexpected(done.error());
    return get(name);
}

Result<WorkflowView> Workflows::set_period(const std::string& name, int every_minutes,
                                           const std::string& actor) {
    auto done = change_workflow(
        m_database, m_store, m_audit, m_clock, name, actor, "workflow.update",
        [&](store::WorkflowRecord& r) -> Result<void> {
            auto event = workflow_event_from(r.event);
            if (!event)
                return std::unexpected(event.error());
            if (auto ok = valid_period(*event, every_minutes); !ok)
                return ok;
            r.every_minutes = every_minutes;
            r.next_run_at = to_iso8601(m_clock.now() + std::chrono::minutes(every_minutes));
            return {};
        });
    if (!done)
        return std::unexpected(done.error());
    return get(name);
}

Result<void> Workflows::set_enabled(const std::string& name, bool enabled,
                                    const std::string& actor) {
    return change_workflow(
        m_database, m_store, m_audit, m_clock, name, actor,
        enabled ? "workflow.enable" : "workflow.disable",
        [&](store::WorkflowRecord& r) -> Result<void> {
            // A timer switched on starts its period now.
            if (enabled && !r.enabled && r.every_minutes) {
                r.next_run_at = to_iso8601(m_clock.now() + std::chrono::minutes(*r.every_minutes));
            }
            r.enabled = enabled;
            return {};
        });
}

Result<void> Workflows::remove(const std::string& name, const std::string& actor) {
    return store::in_transaction(m_database, "removing a workflow", [&]() -> Result<void> {
        auto found = m_store.find(name);
        if (!found)
            return std::unexpected(found.error());
        if (!*found)
            return fail(Errc::not_found, "no workflow " + name);
        if (auto removed = m_store.remove((*found)->id); !removed)
            return std::unexpected(removed.error());
        return m_audit.record(m_clock.now(), actor, "workflow.remove", name);
    });
}

Result<WorkflowRunView> Workflows::run(const std::string& name, std::optional<long long> ticket,
                                       bool dry_run, const std::string& actor) {
    if (!m_engine)
        return fail(Errc::internal, "this process has no script engine");
    auto workflow = get(name);
    if (!workflow)
        return std::unexpected(workflow.error());
    WorkflowTrigger trigger;
    trigger.event = workflow->event;
    trigger.dry_run = dry_run;
    if (ticket) {
        auto found = m_tickets.get(*ticket);
        if (!found)
            return std::unexpected(found.error());
        if (!*found)
            return fail(Errc::not_found, "no ticket " + std::to_string(*ticket));
        trigger.ticket = ticket;
        if (workflow->event == WorkflowEvent::ticket_created ||
            workflow->event == WorkflowEvent::email_received) {
            auto newest = m_tickets.newest_received(*ticket);
            if (!newest)
                return std::unexpected(newest.error());
            trigger.ticket_message = *newest;
        }
    } else if (workflow->event != WorkflowEvent::timer) {
        return fail(Errc::rejected, "workflow " + name + " reacts to " +
                                        to_string(workflow->event) +
                                        ": name the ticket to run it for (--ticket NUMBER)");
    }
    if (!dry_run) {
        if (auto audited = m_audit.record(
                m_clock.now(), actor, "workflow.run",
                name + (ticket ? " ticket " + std::to_string(*ticket) : std::string()));
            !audited)
            return std::unexpected(audited.error());
    }
    auto ran = run_and_record(*workflow, trigger, actor);
    // What the run changed (a status) may have raised events of its own.
    if (ran && !dry_run)
        (void)dispatch_pending();
    return ran;
}

Result<std::vector<WorkflowRunView>> Workflows::runs(const std::string& name, int limit) {
    limit = std::clamp(limit, 1, 1000);
    long long id = 0;
    if (!name.empty()) {
        auto found = m_store.find(name);
        if (!found)
            return std::unexpected(found.error());
        if (!*found)
            return fail(Errc::not_found, "no workflow " + name);
        id = (*found)->id;
    }
    auto records = m_store.runs(id, limit);
    if (!records)
        return std::unexpected(records.error());
    std::vector<WorkflowRunView> out;
    for (const auto& r : *records)
        out.push_back(run_view(r));
    return out;
}

Result<void> Workflows::record(WorkflowEvent event, long long ticket,
                               std::optional<long long> ticket_message) {
    const std::string word = to_string(event);
    auto listened = m_store.listened(word);
    if (!listened)
        return std::unexpected(listened.error());
    if (!*listened)
        return {};
    store::WorkflowEventRecord e;
    e.event = word;
    e.ticket = ticket;
    e.ticket_message = ticket_message;
    e.depth = m_running ? m_depth + 1 : 0;
    e.created_at = to_iso8601(m_clock.now());
    return m_store.add_event(e);
}

Result<WorkflowRunView> Workflows::run_and_record(const WorkflowView& workflow,
                                                  const WorkflowTrigger& trigger,
                                                  const std::string& actor) {
    store::WorkflowRunRecord r;
    r.workflow_id = workflow.id;
    r.workflow = workflow.name;
    r.event = to_string(trigger.event);
    r.ticket = trigger.ticket;
    r.started_at = to_iso8601(m_clock.now());
    r.outcome = to_string(WorkflowRunOutcome::running);
    r.log_json = "[]";
    r.dry_run = trigger.dry_run;
    r.actor = actor;
    // Recorded before it runs: a process that dies in the run leaves a "running" run behind.
    auto id = m_store.add_run(r);
    if (!id)
        return std::unexpected(id.error());
    r.id = *id;

    WorkflowRunResult result;
    if (trigger.depth > kMaxEventDepth) {
        result.outcome = WorkflowRunOutcome::stopped;
        result.error = "not run: " + to_string(trigger.event) + " was raised by a chain of " +
                       std::to_string(trigger.depth) + " workflow runs (at most " +
                       std::to_string(kMaxEventDepth) +
                       "); workflows that set statuses may be "
                       "triggering each other";
    } else {
        const bool was_running = m_running;
        const int was_depth = m_depth;
        m_running = true;
        m_depth = trigger.depth;
        result = m_engine->run(workflow, trigger);
        m_running = was_running;
        m_depth = was_depth;
    }
    r.finished_at = to_iso8601(m_clock.now());
    r.outcome = to_string(result.outcome);
    r.error = result.error;
    r.line = result.line;
    r.log_json = json_text(nlohmann::json(result.log));
    r.mails = static_cast<int>(result.mails.size());
    if (result.outcome != WorkflowRunOutcome::ok) {
        spdlog::warn("workflow {} ({}{}): {}: {}", workflow.name, r.event,
                     trigger.ticket ? ", ticket " + std::to_string(*trigger.ticket) : "", r.outcome,
                     result.error);
    } else {
        spdlog::info("workflow {} ran ({}{}), {} mail(s)", workflow.name, r.event,
                     trigger.ticket ? ", ticket " + std::to_string(*trigger.ticket) : "", r.mails);
    }
    if (auto finished = m_store.finish_run(r); !finished)
        return std::unexpected(finished.error());
    auto view = run_view(r);
    view.reports = std::move(result.mails);  // not stored: `workflow run` prints them
    return view;
}

Result<int> Workflows::dispatch_pending() {
    if (m_dispatching || m_running || !m_engine || m_database.in_transaction())
        return 0;
    m_dispatching = true;
    struct Reset {
        bool& flag;
        ~Reset() { flag = false; }
    } reset{m_dispatching};
    int runs = 0;
    for (;;) {
        auto event = m_store.take_event();
        if (!event)
            return std::unexpected(event.error());
        if (!*event)
            return runs;
        auto kind = workflow_event_from((*event)->event);
        if (!kind)
            continue;
        auto workflows = m_store.enabled_for((*event)->event);
        if (!workflows)
            return std::unexpected(workflows.error());
        for (const auto& w : *workflows) {
            WorkflowTrigger trigger;
            trigger.event = *kind;
            trigger.ticket = (*event)->ticket;
            trigger.ticket_message = (*event)->ticket_message;
            trigger.depth = (*event)->depth;
            auto ran = run_and_record(view_of(w), trigger, "event");
            if (!ran)
                return std::unexpected(ran.error());
            ++runs;
        }
    }
}

Result<int> Workflows::run_due_timers() {
    if (!m_engine || m_database.in_transaction())
        return 0;
    const TimePoint now = m_clock.now();
    auto due = m_store.due_timers(to_iso8601(now));
    if (!due)
        return std::unexpected(due.error());
    int runs = 0;
    for (const auto& w : *due) {
        if (!w.every_minutes || !w.next_run_at)
            continue;
        const auto period = std::chrono::minutes(*w.every_minutes);
        const auto expected = from_iso8601(*w.next_run_at).value_or(now);
        // The next period follows this one; periods missed while nothing ran are skipped.
        TimePoint next = expected + period;
        if (next <= now)
            next = now + period;
        auto claimed = m_store.claim_timer(w.id, *w.next_run_at, to_iso8601(next));
        if (!claimed)
            return std::unexpected(claimed.error());
        if (!*claimed)
            continue;  // another process runs this period
        WorkflowTrigger trigger;
        trigger.event = WorkflowEvent::timer;
        auto ran = run_and_record(view_of(w), trigger, "timer");
        if (!ran)
            return std::unexpected(ran.error());
        ++runs;
    }
    if (runs > 0) {
        if (auto dispatched = dispatch_pending(); !dispatched)
            return std::unexpected(dispatched.error());
    }
    return runs;
}

Result<std::optional<TimePoint>> Workflows::next_timer() {
    auto next = m_store.next_timer();
    if (!next)
        return std::unexpected(next.error());
    if (!*next)
        return std::optional<TimePoint>();
    return from_iso8601(**next);
}

}  // namespace casecrypt::services
