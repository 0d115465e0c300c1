// The `workflowAPI` table and `print` (docs/workflows.md): setStatus, addNote, sendEmail, log
// and findTickets, each a thin call of RunContext (the pattern of lua_binding.h).
#pragma once

struct lua_State;

namespace casecrypt::workflow {

// Sets the globals workflowAPI and print. Call in protected mode, after open_sandbox().
void open_workflow_api(lua_State* state);

// Lua-phase helpers shared with Mail (mail_object.cpp); they may raise.
// A ticket table (its `number`) or a ticket number at `arg`.
long long check_ticket(lua_State* state, int arg);
// A string or a list of strings at `arg`, replaced by a fresh list (array table) of strings.
void check_address_list(lua_State* state, int arg);

}  // namespace casecrypt::workflow
