#include "workflow/lua_state.h"

#include <algorithm>
#include <cstdlib>
#include <lua.hpp>

namespace casecrypt::workflow {

LuaState::LuaState(const ScriptLimits& limits) : m_limits(limits) {
    const long long mib = std::max(1LL, limits.max_memory_mib);
    m_cap = static_cast<std::size_t>(mib) * 1024 * 1024;
    m_deadline =
        std::chrono::steady_clock::now() + std::chrono::seconds(std::max(1LL, limits.max_seconds));
}

Result<std::unique_ptr<LuaState>> LuaState::open(const ScriptLimits& limits) {
    std::unique_ptr<LuaState> state(new LuaState(limits));
    state->m_state = lua_newstate(&LuaState::allocate, state.get());
    if (state->m_state == nullptr)
        return fail(Errc::internal, "Lua could not start within " +
                                        std::to_string(limits.max_memory_mib) + " MiB of memory");
    const int interval = static_cast<int>(
        std::clamp<long long>(limits.max_instructions, 1, static_cast<long long>(kHookInterval)));
    lua_sethook(state->m_state, &LuaState::count_hook, LUA_MASKCOUNT, interval);
    return state;
}

LuaState::~LuaState() {
    if (m_state != nullptr)
        lua_close(m_state);
}

std::string LuaState::stop_message() const {
    switch (m_stop) {
        case StopReason::none:
            return {};
        case StopReason::instructions:
            return "stopped: the script used more than " +
                   std::to_string(m_limits.max_instructions) + " instructions";
        case StopReason::memory:
            return "stopped: the script used more than " + std::to_string(m_limits.max_memory_mib) +
                   " MiB of memory";
        case StopReason::time:
            return "stopped: the script ran longer than " + std::to_string(m_limits.max_seconds) +
                   (m_limits.max_seconds == 1 ? " second" : " seconds");
    }
    return {};
}

// Reads the stack of `running` (the thread that hit the limit, or the main one when the
// allocator cannot know): lua_getstack / lua_getinfo("Sl") allocate nothing and read what Lua
// keeps consistent wherever it may raise an error, which is everywhere it may allocate.
void LuaState::stop(StopReason reason, lua_State* running) {
    if (m_stop != StopReason::none)
        return;
    m_stop = reason;
    if (running == nullptr || m_script_source.empty())
        return;
    lua_Debug frame;
    for (int level = 0; lua_getstack(running, level, &frame) != 0; ++level) {
        lua_getinfo(running, "Sl", &frame);
        if (frame.currentline > 0 && m_script_source == frame.source) {
            m_stop_line = frame.currentline;
            return;
        }
    }
}

// Lua's allocator contract (lua_Alloc): free when new_size is 0; a shrink never fails; for a
// new block old_size is a type code, not a size.
void* LuaState::allocate(void* self, void* block, std::size_t old_size,
                         std::size_t new_size) noexcept {
    auto* state = static_cast<LuaState*>(self);
    const std::size_t old_bytes = block == nullptr ? 0 : old_size;
    if (new_size == 0) {
        std::free(block);
        state->m_used -= old_bytes;
        return nullptr;
    }
    if (new_size > old_bytes) {
        const std::size_t grow = new_size - old_bytes;
        if (grow > state->m_cap || state->m_used > state->m_cap - grow) {
            state->stop(StopReason::memory, state->m_state);
            return nullptr;
        }
    }
    void* moved = std::realloc(block, new_size);
    if (moved == nullptr) {
        if (new_size <= old_bytes)
            return block;  // a shrink that realloc could not do: keep the bigger block
        return nullptr;
    }
    state->m_used = state->m_used - old_bytes + new_size;
    return moved;
}

// Runs every kHookInterval instructions of any coroutine (new threads inherit the hook).
void LuaState::count_hook(lua_State* lua, lua_Debug*) {
    charge(lua, kHookInterval);
}

// No C++ object is alive here, so luaL_error's longjmp skips nothing.
void LuaState::charge(lua_State* lua, long long instructions) {
    void* self = nullptr;
    lua_getallocf(lua, &self);
    auto* state = static_cast<LuaState*>(self);
    state->m_instructions += instructions;
    if (state->m_stop == StopReason::none &&
        state->m_instructions >= state->m_limits.max_instructions)
        state->stop(StopReason::instructions, lua);
    if (state->m_stop == StopReason::none && std::chrono::steady_clock::now() >= state->m_deadline)
        state->stop(StopReason::time, lua);
    if (state->m_stop == StopReason::none)
        return;
    // From now on every instruction raises, in this thread and the main one, so a pcall that
    // caught the stop returns into code that is stopped at once.
    lua_sethook(lua, &LuaState::count_hook, LUA_MASKCOUNT, 1);
    lua_sethook(state->m_state, &LuaState::count_hook, LUA_MASKCOUNT, 1);
    luaL_error(lua, "stopped");
}

}  // namespace casecrypt::workflow
