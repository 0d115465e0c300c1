// LuaState: one Lua 5.4 state with the two limits every workflow run has (DESIGN.md,
// "workflow"): a memory cap, enforced by our allocator (an allocation over the cap is refused,
// and Lua raises "not enough memory"), and an instruction budget, enforced by a count hook
// every kHookInterval VM instructions. Either one, once hit, marks the state stopped: the hook
// then raises at every instruction, so a script cannot catch the stop with pcall and carry on,
// and the runner tells a stop apart from a script's own error by stop_reason(), not by the
// message. Lua counts only VM instructions: work inside C functions is bounded by the memory
// cap (one big string.rep), and the pattern matcher, the one library function whose time can
// grow far beyond the size of its input and output, charges its steps itself (lua_pattern.h,
// charge()). A third limit, wall-clock time since open(), is looked at on the same occasions:
// it ends a run that spends its instructions on calls each of which is cheap in instructions
// and slow in time (utf8.len or comparisons of megabyte strings in a loop).
//
// Owns the lua_State (lua_close in the destructor). Not movable: the allocator and the hook
// find this object through the allocator's user data. Not thread-safe; one per run. The header
// does not include Lua: lua_State is only declared.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>

#include "core/error.h"

struct lua_State;
struct lua_Debug;

namespace casecrypt::workflow {

struct ScriptLimits {
    long long max_instructions = 10'000'000;
    long long max_memory_mib = 32;
    long long max_seconds = 30;
};

enum class StopReason { none, instructions, memory, time };

class LuaState {
public:
    // Errc::internal when Lua cannot make a state within the cap.
    static Result<std::unique_ptr<LuaState>> open(const ScriptLimits& limits);
    ~LuaState();
    LuaState(const LuaState&) = delete;
    LuaState& operator=(const LuaState&) = delete;

    lua_State* get() const { return m_state; }
    const ScriptLimits& limits() const { return m_limits; }
    StopReason stop_reason() const { return m_stop; }
    // "stopped: the script used more than 10000000 instructions" / "... more than 32 MiB of
    // memory" / "stopped: the script ran longer than 30 seconds"; empty when it was not
    // stopped.
    std::string stop_message() const;
    std::size_t memory_used() const { return m_used; }
    // The chunk name of the script (lua_load's), so a stop can say at which of its lines it
    // happened: a memory error reaches no message handler (Lua throws LUA_ERRMEM directly).
    void set_script_source(std::string source) { m_script_source = std::move(source); }
    // The script's line that was running when the run was stopped, if the script was running.
    std::optional<int> stop_line() const { return m_stop_line; }

    // Counts `instructions` of work the count hook does not see (the pattern matcher's steps)
    // against the budget of the state `lua` belongs to (any of its threads); once the budget
    // is used up, or the run was stopped already, stops the run like the hook does and raises
    // (a longjmp: call it only where no C++ object is alive). Only for states made by open().
    static void charge(lua_State* lua, long long instructions);

    // How many VM instructions pass between two looks at the budget.
    static constexpr int kHookInterval = 1000;

private:
    explicit LuaState(const ScriptLimits& limits);
    static void* allocate(void* self, void* block, std::size_t old_size,
                          std::size_t new_size) noexcept;
    static void count_hook(lua_State* state, lua_Debug* debug);
    void stop(StopReason reason, lua_State* running);

    ScriptLimits m_limits;
    std::size_t m_cap = 0;
    std::size_t m_used = 0;
    long long m_instructions = 0;
    std::chrono::steady_clock::time_point m_deadline{};
    StopReason m_stop = StopReason::none;
    std::string m_script_source;
    std::optional<int> m_stop_line;
    lua_State* m_state = nullptr;
};

}  // namespace casecrypt::workflow
