#include "workflow/lua_value.h"

#include <lua.hpp>

namespace casecrypt::workflow {

LuaValue LuaValue::of(bool value) {
    LuaValue v;
    v.kind = Kind::boolean;
    v.boolean = value;
    return v;
}

LuaValue LuaValue::of(long long value) {
    LuaValue v;
    v.kind = Kind::integer;
    v.integer = value;
    return v;
}

LuaValue LuaValue::of(std::string value) {
    LuaValue v;
    v.kind = Kind::string;
    v.string = std::move(value);
    return v;
}

LuaValue LuaValue::array() {
    LuaValue v;
    v.kind = Kind::array;
    return v;
}

LuaValue LuaValue::table() {
    LuaValue v;
    v.kind = Kind::table;
    return v;
}

LuaValue LuaValue::strings(const std::vector<std::string>& values) {
    LuaValue v = array();
    for (const auto& s : values)
        v.add(of(s));
    return v;
}

LuaValue& LuaValue::set(std::string key, LuaValue value) {
    if (value.kind != Kind::nil)
        fields.emplace_back(std::move(key), std::move(value));
    return *this;
}

LuaValue& LuaValue::add(LuaValue value) {
    items.push_back(std::move(value));
    return *this;
}

// Every local here is a pointer, an integer or an iterator: a longjmp out of a Lua call skips
// nothing that needs destroying.
void push_value(lua_State* state, const LuaValue& value) {
    luaL_checkstack(state, 3, "a value nested too deep");
    switch (value.kind) {
        case LuaValue::Kind::nil:
            lua_pushnil(state);
            return;
        case LuaValue::Kind::boolean:
            lua_pushboolean(state, value.boolean ? 1 : 0);
            return;
        case LuaValue::Kind::integer:
            lua_pushinteger(state, static_cast<lua_Integer>(value.integer));
            return;
        case LuaValue::Kind::string:
            lua_pushlstring(state, value.string.data(), value.string.size());
            return;
        case LuaValue::Kind::array: {
            lua_createtable(state, static_cast<int>(value.items.size()), 0);
            lua_Integer i = 0;
            for (const LuaValue& item : value.items) {
                push_value(state, item);
                lua_rawseti(state, -2, ++i);
            }
            return;
        }
        case LuaValue::Kind::table:
            lua_createtable(state, 0, static_cast<int>(value.fields.size()));
            for (const auto& field : value.fields) {
                lua_pushlstring(state, field.first.data(), field.first.size());
                push_value(state, field.second);
                lua_rawset(state, -3);
            }
            return;
    }
}

std::optional<std::string_view> string_at(lua_State* state, int index) {
    if (lua_type(state, index) != LUA_TSTRING)
        return std::nullopt;
    std::size_t size = 0;
    const char* data = lua_tolstring(state, index, &size);
    return std::string_view(data, size);
}

std::optional<long long> integer_at(lua_State* state, int index) {
    int is_integer = 0;
    const lua_Integer value = lua_tointegerx(state, index, &is_integer);
    if (!is_integer)
        return std::nullopt;
    return static_cast<long long>(value);
}

std::vector<std::string> strings_at(lua_State* state, int index) {
    std::vector<std::string> strings;
    if (lua_type(state, index) != LUA_TTABLE)
        return strings;
    index = lua_absindex(state, index);
    const lua_Unsigned size = lua_rawlen(state, index);
    for (lua_Unsigned i = 1; i <= size; ++i) {
        lua_rawgeti(state, index, static_cast<lua_Integer>(i));
        if (auto s = string_at(state, -1))
            strings.emplace_back(*s);
        lua_pop(state, 1);
    }
    return strings;
}

}  // namespace casecrypt::workflow
