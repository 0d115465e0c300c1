#include "workflow/lua_binding.h"

#include <cstring>
#include <lua.hpp>

namespace casecrypt::workflow {

RunContext& run_context(lua_State* state) {
    RunContext* run = nullptr;
    std::memcpy(&run, lua_getextraspace(state), sizeof run);
    return *run;
}

void attach_run_context(lua_State* state, RunContext* run) {
    std::memcpy(lua_getextraspace(state), &run, sizeof run);
}

int finish_call(lua_State* state, bool ok) {
    RunContext& run = run_context(state);
    if (!ok) {
        luaL_where(state, 1);  // the script's line, as luaL_error would say it
        lua_pushlstring(state, run.pending_error.data(), run.pending_error.size());
        lua_concat(state, 2);
        return lua_error(state);
    }
    if (run.pending_result.kind == LuaValue::Kind::nil)
        return 0;
    push_value(state, run.pending_result);
    return 1;
}

}  // namespace casecrypt::workflow
