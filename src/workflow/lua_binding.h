// How a Lua-callable function of the workflow API is written, so no longjmp (Lua's error) ever
// skips a live C++ object and no C++ exception crosses a Lua frame (Lua is C, built without
// unwind tables):
//
//   int api_f(lua_State* L) {
//       // 1. Lua part: check the arguments with luaL_check* (may raise; no C++ object alive)
//       RunContext& run = run_context(L);
//       // 2. C++ part: read the arguments with non-raising calls (lua_value.h), call the
//       //    services; the result or the error goes into run.pending_result / pending_error
//       const bool ok = call_service(run, [&] { return run.do_something(...); });
//       // 3. Lua part again: raise the error or push the result (both may raise)
//       return finish_call(L, ok);
//   }
//
// Step 2 runs in a lambda, so every C++ object of the call is destroyed before step 3. Internal
// to src/workflow; not thread-safe.
#pragma once

#include <exception>
#include <string>
#include <type_traits>
#include <utility>

#include "core/error.h"
#include "workflow/lua_value.h"
#include "workflow/run_context.h"

struct lua_State;

namespace casecrypt::workflow {

// The run a state belongs to (kept in the state's extra space, which coroutines copy).
RunContext& run_context(lua_State* state);
void attach_run_context(lua_State* state, RunContext* run);

// Step 2: `part` returns Result<LuaValue> or Result<void>; never throws out of here.
template <typename Part>
bool call_service(RunContext& run, Part&& part) noexcept {
    if (run.finished) {
        run.pending_error = "the run is over";
        return false;
    }
    try {
        auto result = std::forward<Part>(part)();
        if (!result) {
            run.pending_error = result.error().message();
            return false;
        }
        if constexpr (std::is_same_v<std::decay_t<decltype(*result)>, LuaValue>)
            run.pending_result = std::move(*result);
        else
            run.pending_result = LuaValue{};
        return true;
    } catch (const std::exception& e) {
        run.pending_error = std::string("internal error: ") + e.what();
    } catch (...) {
        run.pending_error = "internal error";
    }
    return false;
}

// Step 3: raises run.pending_error at the caller's line, or pushes run.pending_result (nothing
// for nil); returns the number of results.
int finish_call(lua_State* state, bool ok);

}  // namespace casecrypt::workflow
