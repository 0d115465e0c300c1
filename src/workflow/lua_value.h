// LuaValue: a Lua value built in C++ (a ticket, a send report) before any of it reaches Lua.
//
// Why it exists: Lua reports errors with longjmp, and any Lua call that allocates can raise
// "not enough memory" under the run's memory cap. A C++ function that pushed a ticket table
// field by field while holding std::strings and service views would have them skipped by that
// longjmp. So the C++ side builds a LuaValue (owned by the run, not by a stack frame), and
// push_value() turns it into Lua values from a frame that holds no C++ object at all.
// Values; not thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

struct lua_State;

namespace casecrypt::workflow {

struct LuaValue {
    enum class Kind { nil, boolean, integer, string, array, table };
    Kind kind = Kind::nil;
    bool boolean = false;
    long long integer = 0;
    std::string string;
    std::vector<LuaValue> items;                           // array: 1..n
    std::vector<std::pair<std::string, LuaValue>> fields;  // table: string keys

    static LuaValue of(bool value);
    static LuaValue of(long long value);
    static LuaValue of(std::string value);
    static LuaValue of(const char* value) { return of(std::string(value)); }
    static LuaValue array();
    static LuaValue table();
    static LuaValue strings(const std::vector<std::string>& values);
    template <typename T>
    static LuaValue of(const std::optional<T>& value) {
        return value ? of(*value) : LuaValue{};
    }

    // Table: adds a field (a nil value is left out, as Lua would).
    LuaValue& set(std::string key, LuaValue value);
    // Array: appends.
    LuaValue& add(LuaValue value);
};

// Pushes `value` onto the stack. May raise a Lua error (memory): call it only where no C++
// object lives in the calling frames, with `value` owned elsewhere.
void push_value(lua_State* state, const LuaValue& value);

// Non-raising reads of the value at `index` (for the C++ part of an API call).
// A string (numbers are not converted: converting allocates, and may raise).
std::optional<std::string_view> string_at(lua_State* state, int index);
// An integer, or a float with an integral value.
std::optional<long long> integer_at(lua_State* state, int index);
// The strings of the array table at `index` (items that are not strings are skipped); empty
// for a value that is not a table. Raw reads: no metamethod runs.
std::vector<std::string> strings_at(lua_State* state, int index);

}  // namespace casecrypt::workflow
