// Lua's pattern matching (string.find, string.match, string.gmatch, string.gsub) with every
// step of the matcher charged to the run's instruction budget (LuaState::charge). Lua's count
// hook sees only VM instructions, so a backtracking pattern (`s:find(".-.-.-x")` on a long
// text) would run for minutes inside one string.find call, outside the budget; these copies of
// Lua 5.4.4's functions (lua_pattern.cpp) count the matcher's work and stop the run like the
// hook does. Everything else in the string library is Lua's own.
//
// Internal to src/workflow; only for states made by LuaState::open (the budget is found
// through the allocator's user data). Not thread-safe (one state, one thread).
#pragma once

struct lua_State;

namespace casecrypt::workflow {

// Replaces find, match, gmatch and gsub in the global `string` table (which is also the
// strings' metatable __index, so s:find(...) uses them). Call after the string library is
// open, in protected mode.
void open_patterns(lua_State* state);

}  // namespace casecrypt::workflow
