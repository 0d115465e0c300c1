// LuaEngine: services::ScriptEngine in Lua 5.4 (issue 12, docs/workflows.md). check() compiles
// a script as text (a binary chunk is refused); run() gives every run a fresh sandboxed state
// (sandbox.h) with the budgets of the properties workflow.script.max.instructions and
// workflow.script.max.memory.mib, the globals ticket, event, workflowAPI, Mail and print, and
// reports the outcome: ok, failed (an error at a line) or stopped (a budget ran out).
//
// The engine reaches the installation only through the services Installation hands out
// (tickets, outbox, properties). Holds a reference to the Installation, which owns it (through
// Workflows); not thread-safe, like the Installation.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "core/clock.h"
#include "services/workflows.h"
#include "workflow/lua_state.h"

namespace casecrypt::services {
class Installation;
}

namespace casecrypt::workflow {

inline constexpr long long kDefaultMaxInstructions = 10'000'000;
inline constexpr long long kDefaultMaxMemoryMib = 32;

class LuaEngine final : public services::ScriptEngine {
public:
    LuaEngine(services::Installation& installation, const Clock& clock)
        : m_installation(installation), m_clock(clock) {}

    std::optional<services::ScriptProblem> check(const std::string& name,
                                                 const std::string& source) override;
    services::WorkflowRunResult run(const services::WorkflowView& workflow,
                                    const services::WorkflowTrigger& trigger) override;

    // The budgets the properties set now (their defaults when they cannot be read).
    ScriptLimits limits();

private:
    services::WorkflowRunResult run_script(const services::WorkflowView& workflow,
                                           const services::WorkflowTrigger& trigger);

    services::Installation& m_installation;
    const Clock& m_clock;
};

// What the composition root hands to InstallationOptions::script_engine (the system clock).
services::ScriptEngineFactory lua_engine_factory();

// The line a Lua message names ("ack:3: ..." -> 3), if it names one.
std::optional<int> line_in_message(const std::string& message);

}  // namespace casecrypt::workflow
