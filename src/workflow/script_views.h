// The services' views as the values a script sees (docs/workflows.md, "What a script sees"):
// the `ticket` table, its messages, the tickets of findTickets and the report of a sent mail.
// Field names are the script API's (camelCase, as administrators know them from the product's
// workflow API); times are ISO 8601 UTC strings. Pure functions.
#pragma once

#include <optional>
#include <string>

#include "services/send_report.h"
#include "services/tickets.h"
#include "workflow/lua_value.h"

namespace casecrypt::workflow {

// {number, subject, status, customer, mailbox, created, updated, linkedTicket}
LuaValue summary_value(const services::TicketSummary& ticket,
                       const std::optional<std::string>& mailbox);
// The summary's fields and messages = {message_value...}.
LuaValue ticket_value(const services::TicketView& ticket,
                      const std::optional<std::string>& mailbox);
// {id, direction, from, to, cc, subject, text, encrypted, signature, date}
LuaValue message_value(const services::MessageView& message);
// {mailId, decision, encrypted, sentence, recipients, outbox, dryRun}
LuaValue report_value(const services::SendReport& report, bool dry_run);

}  // namespace casecrypt::workflow
