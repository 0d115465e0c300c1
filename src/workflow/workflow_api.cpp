#include "workflow/workflow_api.h"

#include <lua.hpp>

#include "workflow/lua_binding.h"

namespace casecrypt::workflow {

long long check_ticket(lua_State* state, int arg) {
    if (lua_type(state, arg) == LUA_TTABLE) {
        lua_getfield(state, arg, "number");
        int is_integer = 0;
        const lua_Integer number = lua_tointegerx(state, -1, &is_integer);
        lua_pop(state, 1);
        if (!is_integer)
            luaL_argerror(state, arg, "a ticket without a number");
        return static_cast<long long>(number);
    }
    int is_integer = 0;
    const lua_Integer number = lua_tointegerx(state, arg, &is_integer);
    if (!is_integer)
        luaL_typeerror(state, arg, "ticket or ticket number");
    return static_cast<long long>(number);
}

void check_address_list(lua_State* state, int arg) {
    arg = lua_absindex(state, arg);
    if (lua_type(state, arg) == LUA_TSTRING) {
        lua_createtable(state, 1, 0);
        lua_pushvalue(state, arg);
        lua_rawseti(state, -2, 1);
        lua_replace(state, arg);
        return;
    }
    if (lua_type(state, arg) != LUA_TTABLE)
        luaL_typeerror(state, arg, "address or list of addresses");
    const lua_Integer size = luaL_len(state, arg);
    lua_createtable(state, static_cast<int>(size), 0);
    for (lua_Integer i = 1; i <= size; ++i) {
        lua_geti(state, arg, i);
        if (lua_type(state, -1) != LUA_TSTRING)
            luaL_argerror(state, arg, lua_pushfstring(state, "item %d is not an address", (int)i));
        lua_rawseti(state, -2, i);
    }
    lua_replace(state, arg);
}

namespace {

// Joins the arguments as print does (tostring, tab-separated) into one string on the stack.
void push_log_line(lua_State* state) {
    const int count = lua_gettop(state);
    luaL_Buffer buffer;
    luaL_buffinit(state, &buffer);
    for (int i = 1; i <= count; ++i) {
        if (i > 1)
            luaL_addchar(&buffer, '\t');
        luaL_tolstring(state, i, nullptr);
        luaL_addvalue(&buffer);
    }
    luaL_pushresult(&buffer);
}

int api_log(lua_State* state) {
    push_log_line(state);
    RunContext& run = run_context(state);
    const bool ok = call_service(run, [&]() -> Result<void> {
        run.log(string_at(state, -1).value_or(""));
        return {};
    });
    return finish_call(state, ok);
}

int api_set_status(lua_State* state) {
    const long long number = check_ticket(state, 1);
    luaL_checkstring(state, 2);
    RunContext& run = run_context(state);
    const bool ok =
        call_service(run, [&] { return run.set_status(number, string_at(state, 2).value_or("")); });
    return finish_call(state, ok);
}

int api_add_note(lua_State* state) {
    const long long number = check_ticket(state, 1);
    luaL_checkstring(state, 2);
    RunContext& run = run_context(state);
    const bool ok =
        call_service(run, [&] { return run.add_note(number, string_at(state, 2).value_or("")); });
    return finish_call(state, ok);
}

// sendEmail(to, subject, text): from the ticket's mailbox, recorded in the event's ticket.
int api_send_email(lua_State* state) {
    check_address_list(state, 1);
    luaL_checkstring(state, 2);
    luaL_checkstring(state, 3);
    RunContext& run = run_context(state);
    const bool ok = call_service(run, [&] {
        MailDraft draft;
        draft.request.to = strings_at(state, 1);
        draft.request.subject = std::string(string_at(state, 2).value_or(""));
        draft.request.text = std::string(string_at(state, 3).value_or(""));
        draft.append_to = run.event_ticket();
        return run.send(std::move(draft));
    });
    return finish_call(state, ok);
}

// findTickets{status = "open", olderThanMinutes = N, limit = N}
int api_find_tickets(lua_State* state) {
    if (lua_isnoneornil(state, 1))
        lua_newtable(state);
    luaL_checktype(state, 1, LUA_TTABLE);
    lua_settop(state, 1);
    lua_getfield(state, 1, "status");            // 2
    lua_getfield(state, 1, "olderThanMinutes");  // 3
    lua_getfield(state, 1, "limit");             // 4
    if (!lua_isnil(state, 2)) {
        const char* status = luaL_checkstring(state, 2);
        if (std::string_view(status) != "open" && std::string_view(status) != "closed")
            luaL_error(state, "findTickets: status is \"open\" or \"closed\"");
    }
    if (!lua_isnil(state, 3) && (!lua_isinteger(state, 3) || lua_tointeger(state, 3) < 0))
        luaL_error(state, "findTickets: olderThanMinutes is a whole number of minutes");
    if (!lua_isnil(state, 4) && (!lua_isinteger(state, 4) || lua_tointeger(state, 4) < 1 ||
                                 lua_tointeger(state, 4) > 10000))
        luaL_error(state, "findTickets: limit is a whole number from 1 to 10000");
    RunContext& run = run_context(state);
    const bool ok = call_service(run, [&] {
        TicketQuery query;
        if (auto status = string_at(state, 2))
            query.status =
                *status == "open" ? services::TicketStatus::open : services::TicketStatus::closed;
        query.older_than_minutes = integer_at(state, 3);
        query.limit = integer_at(state, 4).value_or(100);
        return run.find_tickets(query);
    });
    return finish_call(state, ok);
}

constexpr luaL_Reg kFunctions[] = {
    {"setStatus", api_set_status},     {"addNote", api_add_note},
    {"sendEmail", api_send_email},     {"log", api_log},
    {"findTickets", api_find_tickets}, {nullptr, nullptr},
};

}  // namespace

void open_workflow_api(lua_State* state) {
    luaL_newlib(state, kFunctions);
    lua_setglobal(state, "workflowAPI");
    lua_pushcfunction(state, api_log);
    lua_setglobal(state, "print");
}

}  // namespace casecrypt::workflow
