// The `Mail` global: Mail.new() and the methods of a mail (docs/workflows.md, "Mail"), named as
// administrators know them from the product's workflow API. A mail is a userdata whose fields
// live in a Lua table (its user value), so what a script composes counts against the run's
// memory cap; send() reads them into a MailDraft and hands it to RunContext::send.
#pragma once

struct lua_State;

namespace casecrypt::workflow {

// Sets the global Mail. Call in protected mode, after open_sandbox().
void open_mail(lua_State* state);

}  // namespace casecrypt::workflow
