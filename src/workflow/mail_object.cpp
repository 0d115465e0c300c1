#include "workflow/mail_object.h"

#include <lua.hpp>
#include <string_view>

#include "workflow/lua_binding.h"
#include "workflow/workflow_api.h"

namespace casecrypt::workflow {
namespace {

constexpr const char* kMetatable = "Mail";

// Where each field is kept in the mail's user value table (integer keys: reading them back
// allocates nothing, so the C++ part of send() cannot raise).
enum Field : int {
    kFrom = 1,
    kTo,
    kCc,
    kBcc,
    kReplyTo,
    kSubject,
    kText,
    kHtml,
    kAttachments,  // array of {name, bytes, content type} (integer keys 1..3)
    kEncrypt,      // boolean; nil: the default
    kPolicy,       // "unencrypted" | "reject"; nil: the property
    kAppendTo,     // ticket number
};

// Pushes the fields table of the mail at index 1 (checked) and returns its index.
int fields(lua_State* state) {
    luaL_checkudata(state, 1, kMetatable);
    lua_getiuservalue(state, 1, 1);
    return lua_gettop(state);
}

void store(lua_State* state, Field field, int value_index) {
    const int table = fields(state);
    lua_pushvalue(state, value_index);
    lua_rawseti(state, table, field);
}

int set_string(lua_State* state, Field field) {
    luaL_checkudata(state, 1, kMetatable);
    luaL_checkstring(state, 2);
    store(state, field, 2);
    return 0;
}

int set_addresses(lua_State* state, Field field) {
    luaL_checkudata(state, 1, kMetatable);
    check_address_list(state, 2);
    store(state, field, 2);
    return 0;
}

int mail_new(lua_State* state) {
    lua_newuserdatauv(state, 0, 1);
    lua_newtable(state);
    lua_setiuservalue(state, -2, 1);
    luaL_setmetatable(state, kMetatable);
    return 1;
}

int set_from(lua_State* state) {
    return set_string(state, kFrom);
}
int set_to(lua_State* state) {
    return set_addresses(state, kTo);
}
int set_cc(lua_State* state) {
    return set_addresses(state, kCc);
}
int set_bcc(lua_State* state) {
    return set_addresses(state, kBcc);
}
int set_reply_to(lua_State* state) {
    return set_addresses(state, kReplyTo);
}
int set_subject(lua_State* state) {
    return set_string(state, kSubject);
}
int set_text(lua_State* state) {
    return set_string(state, kText);
}
int set_html_text(lua_State* state) {
    return set_string(state, kHtml);
}

int add_attachment(lua_State* state) {
    lua_settop(state, 4);  // the type may be left out
    const int table = fields(state);
    std::size_t size = 0;
    const char* name = luaL_checklstring(state, 2, &size);
    luaL_checkstring(state, 3);
    const bool typed = !lua_isnoneornil(state, 4);
    if (typed)
        luaL_checkstring(state, 4);
    bool bad = size == 0 || size > 255;
    for (std::size_t i = 0; i < size && !bad; ++i) {
        const auto c = static_cast<unsigned char>(name[i]);
        bad = c == '/' || c == '\\' || c < 0x20 || c == 0x7f;
    }
    if (bad || std::string_view(name, size) == "." || std::string_view(name, size) == "..")
        luaL_argerror(state, 2,
                      "an attachment's name is a file name: 1 to 255 bytes, no slash, no "
                      "control character");
    if (lua_rawgeti(state, table, kAttachments) == LUA_TNIL) {
        lua_pop(state, 1);
        lua_newtable(state);
        lua_pushvalue(state, -1);
        lua_rawseti(state, table, kAttachments);
    }
    lua_createtable(state, 3, 0);
    lua_pushvalue(state, 2);
    lua_rawseti(state, -2, 1);
    lua_pushvalue(state, 3);
    lua_rawseti(state, -2, 2);
    if (typed) {
        lua_pushvalue(state, 4);
        lua_rawseti(state, -2, 3);
    }
    lua_rawseti(state, -2, static_cast<lua_Integer>(lua_rawlen(state, -2) + 1));
    return 0;
}

// Raised here, where the script asks, naming the property; OutgoingMail refuses it too.
int enable_encryption(lua_State* state) {
    luaL_checkudata(state, 1, kMetatable);
    RunContext& run = run_context(state);
    const bool ok = call_service(run, [&] { return run.check_encryption_allowed(); });
    if (ok) {
        lua_pushboolean(state, 1);
        store(state, kEncrypt, lua_gettop(state));
    }
    return finish_call(state, ok);
}

int disable_encryption(lua_State* state) {
    luaL_checkudata(state, 1, kMetatable);
    lua_pushboolean(state, 0);
    store(state, kEncrypt, lua_gettop(state));
    return 0;
}

int set_missing_certificate_policy(lua_State* state) {
    luaL_checkudata(state, 1, kMetatable);
    const std::string_view word = luaL_checkstring(state, 2);
    if (word != "unencrypted" && word != "reject")
        luaL_argerror(state, 2, "\"unencrypted\" or \"reject\" expected");
    store(state, kPolicy, 2);
    return 0;
}

int set_append_to_ticket(lua_State* state) {
    luaL_checkudata(state, 1, kMetatable);
    lua_pushinteger(state, static_cast<lua_Integer>(check_ticket(state, 2)));
    store(state, kAppendTo, lua_gettop(state));
    return 0;
}

// The C++ part of send(): non-raising reads of the fields table at `table`.
MailDraft read_draft(lua_State* state, int table) {
    MailDraft draft;
    auto text = [&](Field field) {
        lua_rawgeti(state, table, field);
        auto value = string_at(state, -1);
        std::optional<std::string> s = value ? std::optional<std::string>(*value) : std::nullopt;
        lua_pop(state, 1);
        return s;
    };
    auto list = [&](Field field) {
        lua_rawgeti(state, table, field);
        auto value = strings_at(state, -1);
        lua_pop(state, 1);
        return value;
    };
    services::SendRequest& r = draft.request;
    r.from = text(kFrom).value_or("");
    r.to = list(kTo);
    r.cc = list(kCc);
    r.bcc = list(kBcc);
    r.reply_to = list(kReplyTo);
    r.subject = text(kSubject).value_or("");
    r.text = text(kText).value_or("");
    r.html = text(kHtml);
    r.missing_certificate_policy = text(kPolicy);
    if (lua_rawgeti(state, table, kEncrypt) == LUA_TBOOLEAN)
        r.encrypt = lua_toboolean(state, -1) != 0;
    lua_pop(state, 1);
    lua_rawgeti(state, table, kAppendTo);
    draft.append_to = integer_at(state, -1);
    lua_pop(state, 1);
    if (lua_rawgeti(state, table, kAttachments) == LUA_TTABLE) {
        const int attachments = lua_gettop(state);
        const lua_Unsigned count = lua_rawlen(state, attachments);
        for (lua_Unsigned i = 1; i <= count; ++i) {
            lua_rawgeti(state, attachments, static_cast<lua_Integer>(i));
            const int entry = lua_gettop(state);
            auto part = [&](int index) {
                lua_rawgeti(state, entry, index);
                std::string value(string_at(state, -1).value_or(""));
                lua_pop(state, 1);
                return value;
            };
            AttachmentDraft attachment{part(1), part(2), part(3)};
            draft.attachments.push_back(std::move(attachment));
            lua_pop(state, 1);
        }
    }
    lua_pop(state, 1);
    return draft;
}

int send(lua_State* state) {
    const int table = fields(state);
    luaL_checkstack(state, 8, "no room to read the mail");
    RunContext& run = run_context(state);
    const bool ok = call_service(run, [&] { return run.send(read_draft(state, table)); });
    return finish_call(state, ok);
}

constexpr luaL_Reg kMethods[] = {
    {"setFrom", set_from},
    {"setTo", set_to},
    {"setCc", set_cc},
    {"setBcc", set_bcc},
    {"setReplyTo", set_reply_to},
    {"setSubject", set_subject},
    {"setText", set_text},
    {"setHtmlText", set_html_text},
    {"addAttachment", add_attachment},
    {"enableEncryption", enable_encryption},
    {"disableEncryption", disable_encryption},
    {"setMissingCertificatePolicy", set_missing_certificate_policy},
    {"setAppendToTicket", set_append_to_ticket},
    {"send", send},
    {nullptr, nullptr},
};

}  // namespace

void open_mail(lua_State* state) {
    luaL_newmetatable(state, kMetatable);
    luaL_newlib(state, kMethods);
    lua_setfield(state, -2, "__index");
    lua_pushboolean(state, 0);
    lua_setfield(state, -2, "__metatable");
    lua_pop(state, 1);
    lua_createtable(state, 0, 1);
    lua_pushcfunction(state, mail_new);
    lua_setfield(state, -2, "new");
    lua_setglobal(state, "Mail");
}

}  // namespace casecrypt::workflow
