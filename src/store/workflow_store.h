// WorkflowStore: the workflows' scripts, their runs and the events waiting for them. Times are ISO
// 8601 UTC text like everywhere in the store. Not thread-safe (it uses its Database's connection).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/error.h"
#include "store/database.h"

namespace casecrypt::store {

struct WorkflowRecord {
    long long id = 0;
    std::string name;
    std::string event;  // "ticket-created", ... (services/workflows.h)
    std::optional<int> every_minutes;
    bool enabled = true;
    std::string script;
    std::string created_at;
    std::string updated_at;
    std::string updated_by;
    std::optional<std::string> next_run_at;  // timers
};

struct WorkflowRunRecord {
    long long id = 0;
    long long workflow_id = 0;
    std::string workflow;  // the name at the time of the run
    std::string event;
    std::optional<long long> ticket;
    std::string started_at;
    std::optional<std::string> finished_at;  // none while it runs (or when its process died)
    std::string outcome;                     // "running", "ok", "failed", "stopped"
    std::string error;
    std::optional<int> line;
    std::string log_json;  // a JSON array of strings
    int mails = 0;
    bool dry_run = false;
    std::string actor;
};

struct WorkflowEventRecord {
    long long id = 0;
    std::string event;
    long long ticket = 0;
    std::optional<long long> ticket_message;
    int depth = 0;
    std::string created_at;
};

class WorkflowStore {
public:
    explicit WorkflowStore(Database& database) : m_database(database) {}

    // Name order.
    Result<std::vector<WorkflowRecord>> list();
    Result<std::optional<WorkflowRecord>> find(const std::string& name);
    // Errc::conflict when the name is taken.
    Result<long long> add(const WorkflowRecord& record);
    // Writes script, every_minutes, enabled, next_run_at, updated_at/by of the record with its
    // id; false when there is none.
    Result<bool> update(const WorkflowRecord& record);
    // The workflow and its runs; false when there is none.
    Result<bool> remove(long long id);

    // Whether an enabled workflow listens to `event`.
    Result<bool> listened(const std::string& event);
    // The enabled workflows of an event, name order.
    Result<std::vector<WorkflowRecord>> enabled_for(const std::string& event);

    Result<void> add_event(const WorkflowEventRecord& event);
    // Takes the oldest waiting event away (deleted: each event is run by one process once);
    // none when nothing waits. Joins or makes its own transaction.
    Result<std::optional<WorkflowEventRecord>> take_event();

    // Enabled timers whose next run is at or before `now`.
    Result<std::vector<WorkflowRecord>> due_timers(const std::string& now);
    // The earliest next run of an enabled timer.
    Result<std::optional<std::string>> next_timer();
    // Compare-and-set: moves the timer's next run from `expected` to `next`; false when another
    // process moved it first (that process runs this period).
    Result<bool> claim_timer(long long id, const std::string& expected, const std::string& next);

    Result<long long> add_run(const WorkflowRunRecord& run);
    Result<void> finish_run(const WorkflowRunRecord& run);
    // Newest first; workflow_id 0: every workflow.
    Result<std::vector<WorkflowRunRecord>> runs(long long workflow_id, int limit);

private:
    Database& m_database;
};

}  // namespace casecrypt::store
