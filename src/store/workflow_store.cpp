#include "store/workflow_store.h"

#include <soci/soci.h>

#include "store/guarded.h"

namespace casecrypt::store {
namespace {

constexpr const char* kWorkflowColumns =
    "SELECT id, name, event, every_minutes, enabled, script, created_at, updated_at, "
    "updated_by, next_run_at FROM workflows";

// One row of workflows, bound to a statement's outputs.
struct WorkflowRow {
    WorkflowRecord record;
    int every = 0;
    soci::indicator every_i = soci::i_null;
    int enabled = 0;
    std::string next;
    soci::indicator next_i = soci::i_null;

    void bind(soci::statement& st) {
        st.exchange(soci::into(record.id));
        st.exchange(soci::into(record.name));
        st.exchange(soci::into(record.event));
        st.exchange(soci::into(every, every_i));
        st.exchange(soci::into(enabled));
        st.exchange(soci::into(record.script));
        st.exchange(soci::into(record.created_at));
        st.exchange(soci::into(record.updated_at));
        st.exchange(soci::into(record.updated_by));
        st.exchange(soci::into(next, next_i));
    }
    WorkflowRecord get() const {
        WorkflowRecord r = record;
        r.every_minutes = every_i == soci::i_ok ? std::optional<int>(every) : std::nullopt;
        r.enabled = enabled != 0;
        r.next_run_at = next_i == soci::i_ok ? std::optional<std::string>(next) : std::nullopt;
        return r;
    }
};

// Runs a SELECT over workflows with `where` (and its one string parameter, if any).
std::vector<WorkflowRecord> select_workflows(Database& database, const std::string& where,
                                             const std::optional<std::string>& parameter) {
    std::vector<WorkflowRecord> out;
    WorkflowRow row;
    soci::statement st(database.session());
    std::string value = parameter.value_or("");
    if (parameter)
        st.exchange(soci::use(value));
    row.bind(st);
    st.alloc();
    st.prepare(std::string(kWorkflowColumns) + " " + where);
    st.define_and_bind();
    st.execute();
    while (st.fetch())
        out.push_back(row.get());
    return out;
}

}  // namespace

Result<std::vector<WorkflowRecord>> WorkflowStore::list() {
    return guarded("reading workflows", [&]() -> Result<std::vector<WorkflowRecord>> {
        return select_workflows(m_database, "ORDER BY name", std::nullopt);
    });
}

Result<std::optional<WorkflowRecord>> WorkflowStore::find(const std::string& name) {
    return guarded("reading a workflow", [&]() -> Result<std::optional<WorkflowRecord>> {
        auto found = select_workflows(m_database, "WHERE name = :n", name);
        if (found.empty())
            return std::optional<WorkflowRecord>();
        return std::optional<WorkflowRecord>(found.front());
    });
}

Result<long long> WorkflowStore::add(const WorkflowRecord& r) {
    return guarded("adding a workflow", [&]() -> Result<long long> {
        soci::session& sql = m_database.session();
        Transaction transaction(m_database);
        int existing = 0;
        sql << "SELECT COUNT(*) FROM workflows WHERE name = :n", soci::use(r.name),
            soci::into(existing);
        if (existing > 0)
            return fail(Errc::conflict, "a workflow " + r.name + " exists already");
        int every = r.every_minutes.value_or(0);
        soci::indicator every_i = r.every_minutes ? soci::i_ok : soci::i_null;
        int enabled = r.enabled ? 1 : 0;
        std::string next = r.next_run_at.value_or("");
        soci::indicator next_i = r.next_run_at ? soci::i_ok : soci::i_null;
        long long id = 0;
        sql << "INSERT INTO workflows (name, event, every_minutes, enabled, script, created_at, "
               "updated_at, updated_by, next_run_at) VALUES (:n, :e, :m, :en, :s, :c, :u, :b, "
               ":x) RETURNING id",
            soci::use(r.name), soci::use(r.event), soci::use(every, every_i), soci::use(enabled),
            soci::use(r.script), soci::use(r.created_at), soci::use(r.updated_at),
            soci::use(r.updated_by), soci::use(next, next_i), soci::into(id);
        transaction.commit();
        return id;
    });
}

Result<bool> WorkflowStore::update(const WorkflowRecord& r) {
    return guarded("updating a workflow", [&]() -> Result<bool> {
        int every = r.every_minutes.value_or(0);
        soci::indicator every_i = r.every_minutes ? soci::i_ok : soci::i_null;
        int enabled = r.enabled ? 1 : 0;
        std::string next = r.next_run_at.value_or("");
        soci::indicator next_i = r.next_run_at ? soci::i_ok : soci::i_null;
        soci::statement st =
            (m_database.session().prepare
                 << "UPDATE workflows SET script = :s, every_minutes = :m, enabled = :en, "
                    "next_run_at = :x, updated_at = :u, updated_by = :b WHERE id = :id",
             soci::use(r.script), soci::use(every, every_i), soci::use(enabled),
             soci::use(next, next_i), soci::use(r.updated_at), soci::use(r.updated_by),
             soci::use(r.id));
        st.execute(true);
        return st.get_affected_rows() > 0;
    });
}

Result<bool> WorkflowStore::remove(long long id) {
    return guarded("removing a workflow", [&]() -> Result<bool> {
        Transaction transaction(m_database);
        m_database.session() << "DELETE FROM workflow_runs WHERE workflow_id = :id", soci::use(id);
        soci::statement st =
            (m_database.session().prepare << "DELETE FROM workflows WHERE id = :id", soci::use(id));
        st.execute(true);
        const bool removed = st.get_affected_rows() > 0;
        transaction.commit();
        return removed;
    });
}

Result<bool> WorkflowStore::listened(const std::string& event) {
    return guarded("reading workflows", [&]() -> Result<bool> {
        int count = 0;
        m_database.session() << "SELECT COUNT(*) FROM workflows WHERE event = :e AND enabled = 1",
            soci::use(event), soci::into(count);
        return count > 0;
    });
}

Result<std::vector<WorkflowRecord>> WorkflowStore::enabled_for(const std::string& event) {
    return guarded("reading workflows", [&]() -> Result<std::vector<WorkflowRecord>> {
        return select_workflows(m_database, "WHERE event = :e AND enabled = 1 ORDER BY name",
                                event);
    });
}

Result<void> WorkflowStore::add_event(const WorkflowEventRecord& e) {
    return guarded("recording a workflow event", [&]() -> Result<void> {
        long long message = e.ticket_message.value_or(0);
        soci::indicator message_i = e.ticket_message ? soci::i_ok : soci::i_null;
        m_database.session() << "INSERT INTO workflow_events (event, ticket_id, "
                                "ticket_message_id, depth, created_at) VALUES (:e, :t, :m, :d, "
                                ":c)",
            soci::use(e.event), soci::use(e.ticket), soci::use(message, message_i),
            soci::use(e.depth), soci::use(e.created_at);
        return {};
    });
}

Result<std::optional<WorkflowEventRecord>> WorkflowStore::take_event() {
    return guarded("taking a workflow event", [&]() -> Result<std::optional<WorkflowEventRecord>> {
        soci::session& sql = m_database.session();
        const std::string lock =
            m_database.backend() == Backend::postgresql ? " FOR UPDATE SKIP LOCKED" : "";
        WorkflowEventRecord e;
        long long message = 0;
        soci::indicator message_i = soci::i_null;
        // DELETE ... RETURNING: the same statement in SQLite (>= 3.35) and PostgreSQL; on
        // SQLite the write lock is taken at once, so two processes never take one event.
        sql << "DELETE FROM workflow_events WHERE id = (SELECT id FROM workflow_events ORDER "
               "BY id LIMIT 1" +
                   lock + ") RETURNING id, event, ticket_id, ticket_message_id, depth, created_at",
            soci::into(e.id), soci::into(e.event), soci::into(e.ticket),
            soci::into(message, message_i), soci::into(e.depth), soci::into(e.created_at);
        if (!sql.got_data())
            return std::optional<WorkflowEventRecord>();
        if (message_i == soci::i_ok)
            e.ticket_message = message;
        return std::optional<WorkflowEventRecord>(e);
    });
}

Result<std::vector<WorkflowRecord>> WorkflowStore::due_timers(const std::string& now) {
    return guarded("reading timer workflows", [&]() -> Result<std::vector<WorkflowRecord>> {
        return select_workflows(m_database,
                                "WHERE event = 'timer' AND enabled = 1 AND next_run_at IS NOT "
                                "NULL AND next_run_at <= :now ORDER BY next_run_at, name",
                                now);
    });
}

Result<std::optional<std::string>> WorkflowStore::next_timer() {
    return guarded("reading timer workflows", [&]() -> Result<std::optional<std::string>> {
        std::string next;
        soci::indicator next_i = soci::i_null;
        m_database.session() << "SELECT MIN(next_run_at) FROM workflows WHERE event = 'timer' "
                                "AND enabled = 1",
            soci::into(next, next_i);
        if (!m_database.session().got_data() || next_i != soci::i_ok)
            return std::optional<std::string>();
        return std::optional<std::string>(next);
    });
}

Result<bool> WorkflowStore::claim_timer(long long id, const std::string& expected,
                                        const std::string& next) {
    return guarded("claiming a timer workflow", [&]() -> Result<bool> {
        soci::statement st = (m_database.session().prepare
                                  << "UPDATE workflows SET next_run_at = :next WHERE id = :id AND "
                                     "next_run_at = :expected AND enabled = 1",
                              soci::use(next), soci::use(id), soci::use(expected));
        st.execute(true);
        return st.get_affected_rows() > 0;
    });
}

Result<long long> WorkflowStore::add_run(const WorkflowRunRecord& r) {
    return guarded("recording a workflow run", [&]() -> Result<long long> {
        long long ticket = r.ticket.value_or(0);
        soci::indicator ticket_i = r.ticket ? soci::i_ok : soci::i_null;
        int dry = r.dry_run ? 1 : 0;
        long long id = 0;
        m_database.session() << "INSERT INTO workflow_runs (workflow_id, workflow, event, "
                                "ticket_id, started_at, outcome, error, log, mails, dry_run, "
                                "actor) VALUES (:w, :n, :e, :t, :s, :o, :err, :l, :m, :d, :a) "
                                "RETURNING id",
            soci::use(r.workflow_id), soci::use(r.workflow), soci::use(r.event),
            soci::use(ticket, ticket_i), soci::use(r.started_at), soci::use(r.outcome),
            soci::use(r.error), soci::use(r.log_json), soci::use(r.mails), soci::use(dry),
            soci::use(r.actor), soci::into(id);
        return id;
    });
}

Result<void> WorkflowStore::finish_run(const WorkflowRunRecord& r) {
    return guarded("recording a workflow run", [&]() -> Result<void> {
        std::string finished = r.finished_at.value_or("");
        soci::indicator finished_i = r.finished_at ? soci::i_ok : soci::i_null;
        int line = r.line.value_or(0);
        soci::indicator line_i = r.line ? soci::i_ok : soci::i_null;
        m_database.session() << "UPDATE workflow_runs SET finished_at = :f, outcome = :o, error "
                                "= :e, line = :l, log = :log, mails = :m WHERE id = :id",
            soci::use(finished, finished_i), soci::use(r.outcome), soci::use(r.error),
            soci::use(line, line_i), soci::use(r.log_json), soci::use(r.mails), soci::use(r.id);
        return {};
    });
}

Result<std::vector<WorkflowRunRecord>> WorkflowStore::runs(long long workflow_id, int limit) {
    return guarded("reading workflow runs", [&]() -> Result<std::vector<WorkflowRunRecord>> {
        std::vector<WorkflowRunRecord> out;
        WorkflowRunRecord r;
        long long ticket = 0;
        soci::indicator ticket_i = soci::i_null;
        std::string finished;
        soci::indicator finished_i = soci::i_null;
        int line = 0;
        soci::indicator line_i = soci::i_null;
        int dry = 0;
        soci::statement st =
            (m_database.session().prepare
                 << "SELECT id, workflow_id, workflow, event, ticket_id, started_at, finished_at, "
                    "outcome, error, line, log, mails, dry_run, actor FROM workflow_runs WHERE "
                    "(:w = 0 OR workflow_id = :w2) ORDER BY id DESC LIMIT :limit",
             soci::use(workflow_id), soci::use(workflow_id), soci::use(limit), soci::into(r.id),
             soci::into(r.workflow_id), soci::into(r.workflow), soci::into(r.event),
             soci::into(ticket, ticket_i), soci::into(r.started_at),
             soci::into(finished, finished_i), soci::into(r.outcome), soci::into(r.error),
             soci::into(line, line_i), soci::into(r.log_json), soci::into(r.mails), soci::into(dry),
             soci::into(r.actor));
        st.execute();
        while (st.fetch()) {
            WorkflowRunRecord row = r;
            row.ticket = ticket_i == soci::i_ok ? std::optional<long long>(ticket) : std::nullopt;
            row.finished_at =
                finished_i == soci::i_ok ? std::optional<std::string>(finished) : std::nullopt;
            row.line = line_i == soci::i_ok ? std::optional<int>(line) : std::nullopt;
            row.dry_run = dry != 0;
            out.push_back(std::move(row));
        }
        return out;
    });
}

}  // namespace casecrypt::store
