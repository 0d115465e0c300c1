// The sandbox a workflow script runs in (docs/workflows.md, "Safety"): Lua's base library
// without dofile, loadfile, load, collectgarbage, print and warn; string, table, math, utf8 and
// coroutine; an `os` with only time, date and clock; setmetatable refuses __gc (finalizers run
// without the instruction budget's hook). io, debug, package, require, load and the
// rest are not there: using one raises "<name> is not available in workflows" at the script's
// line, rather than Lua's "attempt to index a nil value".
#pragma once

struct lua_State;

namespace casecrypt::workflow {

// A lua_CFunction: call it through lua_pcall on a fresh state (opening libraries allocates,
// and may raise under the memory cap). Leaves the globals set up; returns nothing.
int open_sandbox(lua_State* state);

}  // namespace casecrypt::workflow
