// RunContext: what one workflow run knows and does on the C++ side: the trigger, the ticket as
// the script sees it, the run's log and mails, and the actions the script's API calls
// (workflowAPI, Mail) perform through the services Installation hands out, and nothing else.
// The Lua bindings (workflow_api.cpp, mail_object.cpp) read their arguments, call one method
// here, and turn its result into Lua values; no method here touches Lua, so none can be cut
// short by a Lua error.
//
// Dry runs decide and change nothing: set_status / add_note only log what they would do, mail
// goes to the services with SendRequest::dry_run. Owned by LuaEngine::run for one run; not
// thread-safe.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/error.h"
#include "services/send_report.h"
#include "services/tickets.h"
#include "services/workflows.h"
#include "workflow/lua_value.h"

namespace casecrypt::services {
class Installation;
}

namespace casecrypt::workflow {

// One attachment as the script gave it.
struct AttachmentDraft {
    std::string name;
    std::string bytes;
    std::string content_type;
};

// A mail as the script composed it (Mail.new() or workflowAPI.sendEmail).
struct MailDraft {
    services::SendRequest request;  // from may be empty: the ticket's mailbox address
    std::vector<AttachmentDraft> attachments;
    std::optional<long long> append_to;  // record it in this ticket's history
};

// workflowAPI.findTickets{...}
struct TicketQuery {
    std::optional<services::TicketStatus> status;
    std::optional<long long> older_than_minutes;  // not updated for at least this long
    long long limit = 100;
};

class RunContext {
public:
    RunContext(services::Installation& installation, const Clock& clock,
               const services::WorkflowView& workflow, const services::WorkflowTrigger& trigger);

    const std::string& workflow() const { return m_workflow; }
    // The chunk name the script is loaded under; Lua names it in every message.
    const std::string& chunk_name() const { return m_chunk_name; }
    bool dry_run() const { return m_trigger.dry_run; }
    std::optional<long long> event_ticket() const { return m_trigger.ticket; }

    // Reads the event's ticket (none for timer runs) into ticket_value() / event_value().
    Result<void> prepare();
    const LuaValue& ticket_value() const { return m_ticket; }
    const LuaValue& event_value() const { return m_event; }

    // Actor "workflow:<name>"; Errc::rejected for a word other than open / closed.
    Result<void> set_status(long long number, std::string_view status);
    Result<void> add_note(long long number, std::string_view text);
    Result<LuaValue> find_tickets(const TicketQuery& query);
    // Errc::rejected naming the property when mail.encryption is false.
    Result<void> check_encryption_allowed();
    // Sends (dry run: decides) the mail; the report as the script sees it.
    Result<LuaValue> send(MailDraft draft);
    // One line of the run's log (also logged with spdlog, with the workflow's name). A run
    // keeps at most kMaxLogLines lines of at most kMaxLogLine bytes.
    void log(std::string_view line);

    services::WorkflowRunResult& result() { return m_result; }

    // --- for the Lua bindings ---
    // What the current API call raises or returns: set by the C++ part of the call, raised or
    // pushed by its Lua part after every C++ object of the call is gone (lua_binding.h).
    std::string pending_error;
    LuaValue pending_result;
    // The script's line where the error in flight was raised (the message handler's finding).
    std::optional<int> error_line;
    // Set when the script has ended: a finalizer that runs while the state closes can no
    // longer send, log or change a ticket.
    bool finished = false;

    static constexpr std::size_t kMaxLogLines = 1000;
    static constexpr std::size_t kMaxLogLine = 4096;

private:
    Result<std::string> sender_for(const MailDraft& draft);
    void log_mail(const services::SendReport& report);

    services::Installation& m_installation;
    const Clock& m_clock;
    std::string m_workflow;
    std::string m_chunk_name;
    services::WorkflowTrigger m_trigger;
    LuaValue m_ticket;
    LuaValue m_event;
    services::WorkflowRunResult m_result;
    bool m_log_truncated = false;
};

}  // namespace casecrypt::workflow
