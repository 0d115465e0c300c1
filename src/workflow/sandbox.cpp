#include "workflow/sandbox.h"

#include <lua.hpp>

#include "workflow/lua_pattern.h"

namespace casecrypt::workflow {
namespace {

// Functions whose name stays defined, so a script that calls one learns why it cannot.
constexpr const char* kRefusedFunctions[] = {"dofile",  "loadfile",       "load",
                                             "require", "collectgarbage", "loadstring"};
// Libraries that stay defined as tables that refuse every use.
constexpr const char* kRefusedLibraries[] = {"io", "debug", "package"};
constexpr const char* kOsKept[] = {"time", "date", "clock"};

int refuse(lua_State* state) {
    return luaL_error(state, "%s is not available in workflows",
                      lua_tostring(state, lua_upvalueindex(1)));
}

// __index / __newindex of a refused library (upvalue 1: its name).
int refuse_library(lua_State* state) {
    return luaL_error(state, "%s is not available in workflows",
                      lua_tostring(state, lua_upvalueindex(1)));
}

// __index of the restricted os table.
int refuse_os_field(lua_State* state) {
    const char* field = lua_type(state, 2) == LUA_TSTRING ? lua_tostring(state, 2) : "?";
    return luaL_error(
        state, "os.%s is not available in workflows (os has only time, date and clock)", field);
}

// setmetatable without __gc: Lua runs finalizers with debug hooks off (lgc.c, GCTM), so a
// finalizer would escape the instruction budget, and could loop for ever in lua_close.
int setmetatable_without_gc(lua_State* state) {
    if (lua_type(state, 2) == LUA_TTABLE) {
        lua_pushliteral(state, "__gc");
        if (lua_rawget(state, 2) != LUA_TNIL)
            return luaL_error(state, "__gc metamethods are not available in workflows");
        lua_pop(state, 1);
    }
    lua_pushvalue(state, lua_upvalueindex(1));
    lua_insert(state, 1);
    lua_call(state, lua_gettop(state) - 1, 1);
    return 1;
}

void set_refusing_metatable(lua_State* state, const char* name, lua_CFunction index) {
    lua_createtable(state, 0, 3);
    lua_pushstring(state, name);
    lua_pushcclosure(state, index, 1);
    lua_setfield(state, -2, "__index");
    lua_pushstring(state, name);
    lua_pushcclosure(state, refuse_library, 1);
    lua_setfield(state, -2, "__newindex");
    lua_pushboolean(state, 0);
    lua_setfield(state, -2, "__metatable");  // getmetatable() says false; setmetatable refuses
    lua_setmetatable(state, -2);
}

void open_os(lua_State* state) {
    luaL_requiref(state, "os", luaopen_os, 0);
    const int full = lua_gettop(state);
    lua_createtable(state, 0, 3);
    for (const char* name : kOsKept) {
        lua_getfield(state, full, name);
        lua_setfield(state, -2, name);
    }
    set_refusing_metatable(state, "os", refuse_os_field);
    lua_setglobal(state, "os");
    lua_pop(state, 1);
}

}  // namespace

int open_sandbox(lua_State* state) {
    luaL_requiref(state, "_G", luaopen_base, 1);
    luaL_requiref(state, LUA_STRLIBNAME, luaopen_string, 1);
    luaL_requiref(state, LUA_TABLIBNAME, luaopen_table, 1);
    luaL_requiref(state, LUA_MATHLIBNAME, luaopen_math, 1);
    luaL_requiref(state, LUA_UTF8LIBNAME, luaopen_utf8, 1);
    luaL_requiref(state, LUA_COLIBNAME, luaopen_coroutine, 1);
    lua_pop(state, 6);
    open_patterns(state);  // find, match, gmatch, gsub that count against the budget
    open_os(state);

    for (const char* name : kRefusedFunctions) {
        lua_pushstring(state, name);
        lua_pushcclosure(state, refuse, 1);
        lua_setglobal(state, name);
    }
    for (const char* name : kRefusedLibraries) {
        lua_newtable(state);
        set_refusing_metatable(state, name, refuse_library);
        lua_setglobal(state, name);
    }
    lua_getglobal(state, "setmetatable");
    lua_pushcclosure(state, setmetatable_without_gc, 1);
    lua_setglobal(state, "setmetatable");
    // print goes to the run's log (workflow_api.cpp sets it); warn would write to stderr.
    lua_pushnil(state);
    lua_setglobal(state, "print");
    lua_pushnil(state);
    lua_setglobal(state, "warn");
    // string.dump makes binary chunks, which nothing here loads; it only invites the question.
    lua_getglobal(state, LUA_STRLIBNAME);
    lua_pushnil(state);
    lua_setfield(state, -2, "dump");
    lua_pop(state, 1);
    return 0;
}

}  // namespace casecrypt::workflow
