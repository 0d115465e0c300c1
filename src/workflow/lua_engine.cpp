#include "workflow/lua_engine.h"

#include <spdlog/spdlog.h>

#include <cctype>
#include <cstring>
#include <exception>
#include <lua.hpp>

#include "services/installation.h"
#include "workflow/lua_binding.h"
#include "workflow/mail_object.h"
#include "workflow/run_context.h"
#include "workflow/sandbox.h"
#include "workflow/workflow_api.h"

namespace casecrypt::workflow {
namespace {

using services::WorkflowRunOutcome;
using services::WorkflowRunResult;

// Opens the sandbox and sets the globals (a lua_CFunction for lua_pcall: it allocates).
int set_up(lua_State* state) {
    RunContext& run = run_context(state);
    open_sandbox(state);
    open_workflow_api(state);
    open_mail(state);
    push_value(state, run.ticket_value());
    lua_setglobal(state, "ticket");
    push_value(state, run.event_value());
    lua_setglobal(state, "event");
    return 0;
}

bool starts_with_position(const char* message, const char* source) {
    const std::size_t length = std::strlen(source);
    return std::strncmp(message, source, length) == 0 && message[length] == ':' &&
           std::isdigit(static_cast<unsigned char>(message[length + 1]));
}

// The message handler of the script's pcall: notes the script's line at the innermost frame of
// the script and makes sure the message starts with "<name>:<line>: ". No traceback. A C
// function with no C++ object: every Lua call here may raise.
int message_handler(lua_State* state) {
    RunContext& run = run_context(state);
    lua_Debug frame;
    lua_Debug found;
    bool in_script = false;
    for (int level = 1; lua_getstack(state, level, &frame) != 0; ++level) {
        lua_getinfo(state, "Sl", &frame);
        if (frame.currentline > 0 && std::strcmp(frame.source, run.chunk_name().c_str()) == 0) {
            found = frame;
            in_script = true;
            break;
        }
    }
    if (in_script)
        run.error_line = found.currentline;
    if (lua_type(state, 1) != LUA_TSTRING) {
        if (!(luaL_callmeta(state, 1, "__tostring") && lua_type(state, -1) == LUA_TSTRING))
            lua_pushfstring(state, "(error object is a %s value)", luaL_typename(state, 1));
        lua_replace(state, 1);
    }
    lua_settop(state, 1);
    if (in_script && !starts_with_position(lua_tostring(state, 1), found.short_src)) {
        lua_pushfstring(state, "%s:%d: %s", found.short_src, found.currentline,
                        lua_tostring(state, 1));
    }
    return 1;
}

WorkflowRunResult failed_run(WorkflowRunOutcome outcome, std::string error,
                             std::optional<int> line = std::nullopt) {
    WorkflowRunResult result;
    result.outcome = outcome;
    result.error = std::move(error);
    result.line = line;
    return result;
}

}  // namespace

std::optional<int> line_in_message(const std::string& message) {
    const auto colon = message.find(':');
    if (colon == std::string::npos)
        return std::nullopt;
    std::size_t end = colon + 1;
    int line = 0;
    while (end < message.size() && std::isdigit(static_cast<unsigned char>(message[end])) &&
           line < 100'000'000)
        line = line * 10 + (message[end++] - '0');
    if (end == colon + 1 || end >= message.size() || message[end] != ':')
        return std::nullopt;
    return line;
}

ScriptLimits LuaEngine::limits() {
    ScriptLimits limits;
    limits.max_instructions = kDefaultMaxInstructions;
    limits.max_memory_mib = kDefaultMaxMemoryMib;
    auto& properties = m_installation.properties();
    if (auto n = properties.get_int(services::kCoreModule, services::kWorkflowMaxInstructions);
        n && *n > 0)
        limits.max_instructions = *n;
    if (auto n = properties.get_int(services::kCoreModule, services::kWorkflowMaxMemoryMib);
        n && *n > 0)
        limits.max_memory_mib = *n;
    if (auto n = properties.get_int(services::kCoreModule, services::kWorkflowMaxSeconds);
        n && *n > 0)
        limits.max_seconds = *n;
    return limits;
}

std::optional<services::ScriptProblem> LuaEngine::check(const std::string& name,
                                                        const std::string& source) {
    auto state = LuaState::open(limits());
    if (!state)
        return services::ScriptProblem{state.error().message(), std::nullopt};
    lua_State* lua = (*state)->get();
    const std::string chunk = "=" + name;
    const int status = luaL_loadbufferx(lua, source.data(), source.size(), chunk.c_str(), "t");
    if (status == LUA_OK)
        return std::nullopt;
    if ((*state)->stop_reason() == StopReason::memory)
        return services::ScriptProblem{name + ": the script does not compile within " +
                                           std::to_string((*state)->limits().max_memory_mib) +
                                           " MiB of memory",
                                       std::nullopt};
    std::string message(string_at(lua, -1).value_or("the script does not compile"));
    if (!message.starts_with(name + ":"))
        message = name + ": " + message;  // "attempt to load a binary chunk" names no line
    auto line = line_in_message(message);
    return services::ScriptProblem{std::move(message), line};
}

WorkflowRunResult LuaEngine::run(const services::WorkflowView& workflow,
                                 const services::WorkflowTrigger& trigger) {
    WorkflowRunResult result;
    try {
        result = run_script(workflow, trigger);
    } catch (const std::exception& e) {
        result =
            failed_run(WorkflowRunOutcome::failed, workflow.name + ": internal error: " + e.what());
    } catch (...) {
        result = failed_run(WorkflowRunOutcome::failed, workflow.name + ": internal error");
    }
    if (result.outcome != WorkflowRunOutcome::ok)
        spdlog::warn("workflow {} {}: {}", workflow.name, services::to_string(result.outcome),
                     result.error);
    return result;
}

WorkflowRunResult LuaEngine::run_script(const services::WorkflowView& workflow,
                                        const services::WorkflowTrigger& trigger) {
    // The run outlives the state: nothing lua_close does can reach a destroyed run.
    RunContext run(m_installation, m_clock, workflow, trigger);
    if (auto prepared = run.prepare(); !prepared)
        return failed_run(WorkflowRunOutcome::failed,
                          workflow.name + ": " + prepared.error().message());
    auto opened = LuaState::open(limits());
    if (!opened)
        return failed_run(WorkflowRunOutcome::failed,
                          workflow.name + ": " + opened.error().message());
    std::unique_ptr<LuaState> state = std::move(*opened);
    lua_State* lua = state->get();
    attach_run_context(lua, &run);
    state->set_script_source(run.chunk_name());

    int status = LUA_OK;
    lua_pushcfunction(lua, set_up);
    status = lua_pcall(lua, 0, 0, 0);
    if (status == LUA_OK) {
        lua_pushcfunction(lua, message_handler);
        const int handler = lua_gettop(lua);
        status = luaL_loadbufferx(lua, workflow.script.data(), workflow.script.size(),
                                  run.chunk_name().c_str(), "t");
        if (status == LUA_OK)
            status = lua_pcall(lua, 0, 0, handler);
    }
    run.finished = true;

    WorkflowRunResult result = std::move(run.result());
    if (state->stop_reason() != StopReason::none) {
        result.outcome = WorkflowRunOutcome::stopped;
        result.line = state->stop_line() ? state->stop_line() : run.error_line;
        result.error = workflow.name +
                       (result.line ? ":" + std::to_string(*result.line) : std::string()) + ": " +
                       state->stop_message();
    } else if (status != LUA_OK) {
        result.outcome = WorkflowRunOutcome::failed;
        result.error = std::string(string_at(lua, -1).value_or("(an error without a message)"));
        result.line = line_in_message(result.error);
        if (!result.line)
            result.line = run.error_line;
        if (!result.error.starts_with(workflow.name + ":"))
            result.error = workflow.name + ": " + result.error;
    }
    state.reset();  // lua_close while `run` still exists
    return result;
}

services::ScriptEngineFactory lua_engine_factory() {
    static const SystemClock clock;
    return [](services::Installation& installation) -> std::unique_ptr<services::ScriptEngine> {
        return std::make_unique<LuaEngine>(installation, clock);
    };
}

}  // namespace casecrypt::workflow
