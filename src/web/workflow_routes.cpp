#include "web/workflow_routes.h"

#include <charconv>
#include <limits>

#include "services/view_json.h"
#include "services/workflows.h"

namespace casecrypt::web {
namespace {

// How many runs GET /api/workflows/{name} shows with the workflow.
constexpr int kRunsWithWorkflow = 10;

// An integer member; nullopt when absent or null; Errc::usage when it is no integer in range.
Result<std::optional<long long>> json_integer(const nlohmann::json& body, const char* name) {
    auto it = body.find(name);
    if (it == body.end() || it->is_null())
        return std::optional<long long>();
    if (!it->is_number_integer())
        return fail(Errc::usage, std::string(name) + " must be an integer");
    return std::optional<long long>(it->get<long long>());
}

// A boolean member; `fallback` when absent or null; Errc::usage when it is no boolean.
Result<bool> json_bool(const nlohmann::json& body, const char* name, bool fallback) {
    auto it = body.find(name);
    if (it == body.end() || it->is_null())
        return fallback;
    if (!it->is_boolean())
        return fail(Errc::usage, std::string(name) + " must be true or false");
    return it->get<bool>();
}

// every_minutes as the service takes it (the service checks its range).
Result<std::optional<int>> every_minutes(const nlohmann::json& body) {
    auto value = json_integer(body, "every_minutes");
    if (!value)
        return std::unexpected(value.error());
    if (!*value)
        return std::optional<int>();
    if (**value < std::numeric_limits<int>::min() || **value > std::numeric_limits<int>::max())
        return fail(Errc::rejected, "every_minutes is out of range");
    return std::optional<int>(static_cast<int>(**value));
}

// The path's workflow name (the routes' first group).
std::string name_of(const ApiCall& call) {
    return call.request.matches[1].str();
}

// Compiles `script` first so that a syntax error answers 422 with the line the editor marks:
// {"error": "the script does not compile: NAME:3: ...", "line": 3}. True when it compiles (the
// answer is still to be written); false when an answer was sent.
bool compiles(ApiCall& call, const std::string& name, const std::string& script) {
    auto problem = call.installation.workflows().check(name, script);
    if (!problem) {
        send_error(call.response, problem.error());
        return false;
    }
    if (!*problem)
        return true;
    auto body = services::script_problem_json(**problem);
    body["error"] = "the script does not compile: " + (*problem)->message;
    send_json(call.response, body, 422);
    return false;
}

void list(ApiCall& call) {
    auto workflows = call.installation.workflows().list();
    if (!workflows)
        return send_error(call.response, workflows.error());
    nlohmann::json out = nlohmann::json::array();
    for (const auto& w : *workflows)
        out.push_back(services::workflow_json(w));
    send_json(call.response, out);
}

// The workflow with its newest runs ("runs"), with `status`.
void send_workflow(ApiCall& call, const std::string& name, int status = 200) {
    auto& workflows = call.installation.workflows();
    auto workflow = workflows.get(name);
    if (!workflow)
        return send_error(call.response, workflow.error());
    auto runs = workflows.runs(name, kRunsWithWorkflow);
    if (!runs)
        return send_error(call.response, runs.error());
    auto json = services::workflow_json(*workflow);
    json["runs"] = nlohmann::json::array();
    for (const auto& r : *runs)
        json["runs"].push_back(services::workflow_run_json(r));
    send_json(call.response, json, status);
}

void show(ApiCall& call) {
    send_workflow(call, name_of(call));
}

Result<services::WorkflowDraft> draft_of(const nlohmann::json& body) {
    services::WorkflowDraft draft;
    auto name = required_string(body, "name");
    auto event = required_string(body, "event");
    auto script = required_string(body, "script");
    for (const auto* field : {&name, &event, &script}) {
        if (!*field)
            return std::unexpected(field->error());
    }
    auto parsed = services::workflow_event_from(*event);
    if (!parsed)
        return std::unexpected(parsed.error());
    auto every = every_minutes(body);
    if (!every)
        return std::unexpected(every.error());
    auto enabled = json_bool(body, "enabled", true);
    if (!enabled)
        return std::unexpected(enabled.error());
    draft.name = std::move(*name);
    draft.event = *parsed;
    draft.every_minutes = *every;
    draft.script = std::move(*script);
    draft.enabled = *enabled;
    return draft;
}

// POST /api/workflows {"name", "event", "every_minutes"?, "script", "enabled"?}.
void add(ApiCall& call) {
    auto body = json_body(call.request);
    if (!body)
        return send_error(call.response, body.error());
    auto draft = draft_of(*body);
    if (!draft)
        return send_error(call.response, draft.error());
    if (!compiles(call, draft->name, draft->script))
        return;
    auto added = call.installation.workflows().add(*draft, call.actor());
    if (!added)
        return send_error(call.response, added.error());
    send_workflow(call, added->name, 201);
}

// PUT /api/workflows/{name} {"script"?, "every_minutes"?}: the script is compiled before
// anything changes.
void update(ApiCall& call) {
    const std::string name = name_of(call);
    auto body = json_body(call.request);
    if (!body)
        return send_error(call.response, body.error());
    auto script = json_string(*body, "script");
    if (!script)
        return send_error(call.response, script.error());
    auto every = every_minutes(*body);
    if (!every)
        return send_error(call.response, every.error());
    if (!*script && !*every)
        return send_error(call.response, 400, "give script or every_minutes");
    auto& workflows = call.installation.workflows();
    if (auto exists = workflows.get(name); !exists)
        return send_error(call.response, exists.error());
    if (*script && !compiles(call, name, **script))
        return;
    if (*every) {
        if (auto set = workflows.set_period(name, **every, call.actor()); !set)
            return send_error(call.response, set.error());
    }
    if (*script) {
        if (auto set = workflows.update_script(name, **script, call.actor()); !set)
            return send_error(call.response, set.error());
    }
    send_workflow(call, name);
}

void set_enabled(ApiCall& call, bool enabled) {
    const std::string name = name_of(call);
    if (auto set = call.installation.workflows().set_enabled(name, enabled, call.actor()); !set)
        return send_error(call.response, set.error());
    send_workflow(call, name);
}

void remove(ApiCall& call) {
    const std::string name = name_of(call);
    if (auto done = call.installation.workflows().remove(name, call.actor()); !done)
        return send_error(call.response, done.error());
    send_json(call.response, {{"name", name}, {"removed", true}});
}

// POST /api/workflows/check {"name"?, "script"}: the editor's check while typing; nothing is
// stored. {"ok": true} or {"ok": false, "error", "line"}.
void check(ApiCall& call) {
    auto body = json_body(call.request);
    if (!body)
        return send_error(call.response, body.error());
    auto name = json_string(*body, "name");
    if (!name)
        return send_error(call.response, name.error());
    auto script = required_string(*body, "script");
    if (!script)
        return send_error(call.response, script.error());
    const std::string chunk = name->value_or("");
    auto problem = call.installation.workflows().check(chunk.empty() ? "script" : chunk, *script);
    if (!problem)
        return send_error(call.response, problem.error());
    if (!*problem)
        return send_json(call.response, {{"ok", true}});
    auto json = services::script_problem_json(**problem);
    json["ok"] = false;
    send_json(call.response, json);
}

// POST /api/workflows/{name}/run {"ticket"?, "dry_run"?}: the run, whatever its outcome.
void run(ApiCall& call) {
    auto body = json_body(call.request);
    if (!body)
        return send_error(call.response, body.error());
    auto ticket = json_integer(*body, "ticket");
    if (!ticket)
        return send_error(call.response, ticket.error());
    auto dry_run = json_bool(*body, "dry_run", false);
    if (!dry_run)
        return send_error(call.response, dry_run.error());
    auto done = call.installation.workflows().run(name_of(call), *ticket, *dry_run, call.actor());
    if (!done)
        return send_error(call.response, done.error());
    send_json(call.response, services::workflow_run_json(*done));
}

// ?limit (1..1000, default 20).
void runs(ApiCall& call) {
    long long limit = 20;
    if (call.request.has_param("limit")) {
        const std::string text = call.request.get_param_value("limit");
        auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), limit);
        if (ec != std::errc() || end != text.data() + text.size() || limit < 1 || limit > 1000)
            return send_error(call.response, 400, "limit must be 1 to 1000");
    }
    const std::string name = name_of(call);
    auto& workflows = call.installation.workflows();
    if (auto exists = workflows.get(name); !exists)
        return send_error(call.response, exists.error());
    auto found = workflows.runs(name, static_cast<int>(limit));
    if (!found)
        return send_error(call.response, found.error());
    nlohmann::json out = nlohmann::json::array();
    for (const auto& r : *found)
        out.push_back(services::workflow_run_json(r));
    send_json(call.response, out);
}

}  // namespace

void add_workflow_routes(ApiRoutes& routes) {
    constexpr const char* kOne = R"(/api/workflows/([^/]+))";
    routes.get("/api/workflows", Access::admin, list);
    routes.post("/api/workflows", Access::admin, add);
    routes.post("/api/workflows/check", Access::admin, check);
    routes.get(kOne, Access::admin, show);
    routes.put(kOne, Access::admin, update);
    routes.del(kOne, Access::admin, remove);
    routes.post(R"(/api/workflows/([^/]+)/enable)", Access::admin,
                [](ApiCall& call) { set_enabled(call, true); });
    routes.post(R"(/api/workflows/([^/]+)/disable)", Access::admin,
                [](ApiCall& call) { set_enabled(call, false); });
    routes.post(R"(/api/workflows/([^/]+)/run)", Access::admin, run);
    routes.get(R"(/api/workflows/([^/]+)/runs)", Access::admin, runs);
}

}  // namespace casecrypt::web
