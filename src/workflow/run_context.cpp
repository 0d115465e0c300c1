#include "workflow/run_context.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <filesystem>

#include "core/file_io.h"
#include "core/scratch_dir.h"
#include "core/text.h"
#include "services/installation.h"
#include "workflow/script_views.h"

namespace casecrypt::workflow {
namespace {

using services::TicketStatus;

Result<TicketStatus> status_from(std::string_view word) {
    if (word == "open")
        return TicketStatus::open;
    if (word == "closed")
        return TicketStatus::closed;
    return fail(Errc::rejected,
                "a ticket's status is \"open\" or \"closed\", not \"" + std::string(word) + "\"");
}

// An attachment's name becomes a file name: no directories, nothing a terminal would act on.
Result<void> check_attachment_name(const std::string& name) {
    if (name.empty() || name == "." || name == ".." || name.size() > 255)
        return fail(Errc::rejected, "an attachment needs a file name of 1 to 255 bytes");
    const bool bad = std::any_of(name.begin(), name.end(), [](char c) {
        const auto u = static_cast<unsigned char>(c);
        return c == '/' || c == '\\' || u < 0x20 || u == 0x7f;
    });
    if (bad)
        return fail(Errc::rejected, "the attachment name \"" + escape_control(name) +
                                        "\" has a slash or a control character");
    return {};
}

}  // namespace

RunContext::RunContext(services::Installation& installation, const Clock& clock,
                       const services::WorkflowView& workflow,
                       const services::WorkflowTrigger& trigger)
    : m_installation(installation),
      m_clock(clock),
      m_workflow(workflow.name),
      m_chunk_name("=" + workflow.name),
      m_trigger(trigger) {}

Result<void> RunContext::prepare() {
    LuaValue event = LuaValue::table();
    event.set("name", LuaValue::of(services::to_string(m_trigger.event)));
    event.set("ticket", LuaValue::of(m_trigger.ticket));
    event.set("workflow", LuaValue::of(m_workflow));
    event.set("dryRun", LuaValue::of(m_trigger.dry_run));
    if (m_trigger.ticket) {
        auto view = m_installation.tickets().show(*m_trigger.ticket);
        if (!view)
            return std::unexpected(view.error());
        auto mailbox = m_installation.tickets().reply_sender(*m_trigger.ticket);
        m_ticket = workflow::ticket_value(*view, mailbox ? std::optional(*mailbox) : std::nullopt);
        if (m_trigger.ticket_message) {
            for (const auto& message : view->messages) {
                if (message.id == *m_trigger.ticket_message)
                    event.set("message", message_value(message));
            }
        }
    }
    m_event = std::move(event);
    return {};
}

Result<void> RunContext::set_status(long long number, std::string_view word) {
    auto status = status_from(word);
    if (!status)
        return std::unexpected(status.error());
    if (dry_run()) {
        log("would set ticket " + std::to_string(number) + " to " + std::string(word));
        return {};
    }
    auto done = m_installation.tickets().set_status(number, *status, "workflow:" + m_workflow);
    if (!done)
        return done;
    log("set ticket " + std::to_string(number) + " to " + std::string(word));
    return {};
}

Result<void> RunContext::add_note(long long number, std::string_view text) {
    if (dry_run()) {
        log("would add a note to ticket " + std::to_string(number));
        return {};
    }
    auto note =
        m_installation.tickets().add_note(number, std::string(text), "workflow:" + m_workflow);
    if (!note)
        return std::unexpected(note.error());
    log("added a note to ticket " + std::to_string(number));
    return {};
}

Result<LuaValue> RunContext::find_tickets(const TicketQuery& query) {
    auto tickets = m_installation.tickets().list();
    if (!tickets)
        return std::unexpected(tickets.error());
    const TimePoint now = m_clock.now();
    LuaValue found = LuaValue::array();
    for (const auto& ticket : *tickets) {
        if (static_cast<long long>(found.items.size()) >= query.limit)
            break;
        if (query.status && ticket.status != *query.status)
            continue;
        if (query.older_than_minutes &&
            ticket.updated > now - std::chrono::minutes(*query.older_than_minutes))
            continue;
        auto mailbox = m_installation.tickets().reply_sender(ticket.number);
        found.add(summary_value(ticket, mailbox ? std::optional(*mailbox) : std::nullopt));
    }
    return found;
}

Result<void> RunContext::check_encryption_allowed() {
    auto on =
        m_installation.properties().get_bool(services::kCoreModule, services::kMailEncryption);
    if (!on)
        return std::unexpected(on.error());
    if (!*on)
        return fail(Errc::rejected,
                    std::string("enableEncryption: encryption is switched off for the whole "
                                "system (") +
                        services::kCoreModule + " / " + services::kMailEncryption + " = false)");
    return {};
}

Result<std::string> RunContext::sender_for(const MailDraft& draft) {
    if (!draft.request.from.empty())
        return draft.request.from;
    const std::optional<long long> ticket = draft.append_to ? draft.append_to : event_ticket();
    if (!ticket)
        return fail(Errc::rejected,
                    "setFrom is needed: this run has no ticket whose mailbox address could be "
                    "the sender");
    auto mailbox = m_installation.tickets().reply_sender(*ticket);
    if (!mailbox)
        return fail(Errc::rejected, "setFrom is needed: ticket " + std::to_string(*ticket) +
                                        " has no mailbox address (" + mailbox.error().message() +
                                        ")");
    return *mailbox;
}

Result<LuaValue> RunContext::send(MailDraft draft) {
    auto from = sender_for(draft);
    if (!from)
        return std::unexpected(from.error());
    services::SendRequest& request = draft.request;
    request.from = *from;
    request.auto_submitted = true;
    request.dry_run = dry_run();

    // The services read attachments from files: one scratch directory for this mail, a
    // subdirectory per attachment so two attachments may share a name.
    std::optional<ScratchDir> scratch;
    if (!draft.attachments.empty()) {
        auto made = ScratchDir::create(m_installation.work_dir());
        if (!made)
            return std::unexpected(made.error());
        scratch.emplace(std::move(*made));
        int index = 0;
        for (const auto& attachment : draft.attachments) {
            if (auto ok = check_attachment_name(attachment.name); !ok)
                return std::unexpected(ok.error());
            const auto dir = scratch->path() / std::to_string(++index);
            std::error_code ec;
            std::filesystem::create_directory(dir, ec);
            if (ec)
                return fail(Errc::io, "cannot create " + dir.string() + ": " + ec.message());
            const auto file = dir / attachment.name;
            if (auto written = write_file_atomic(
                    file, attachment.bytes,
                    std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
                !written)
                return std::unexpected(written.error());
            request.attachments.push_back(file);
            request.attachment_types.push_back(attachment.content_type);
        }
    }

    auto report = m_installation.outbox().send_now(request, draft.append_to);
    if (!report)
        return std::unexpected(report.error());
    log_mail(*report);
    m_result.mails.push_back(*report);
    return report_value(*report, dry_run());
}

void RunContext::log_mail(const services::SendReport& report) {
    std::vector<std::string> addresses;
    for (const auto& r : report.recipients)
        addresses.push_back(r.address);
    const std::string to = join(addresses, ", ");
    if (report.rejected()) {
        log(std::string(dry_run() ? "would keep, not send" : "kept, not sent") + " to " + to +
            ": " + report.sentence);
        return;
    }
    log(std::string(dry_run() ? "would send" : "sent") + " to " + to + " " +
        (report.encrypted ? "encrypted" : "unencrypted"));
}

void RunContext::log(std::string_view line) {
    if (m_result.log.size() >= kMaxLogLines) {
        if (!m_log_truncated)
            m_result.log.back() = "(more log lines were left out)";
        m_log_truncated = true;
        return;
    }
    std::string kept(line.substr(0, kMaxLogLine));
    if (line.size() > kMaxLogLine)
        kept += " (cut)";
    spdlog::info("workflow {}: {}", m_workflow, kept);
    m_result.log.push_back(std::move(kept));
}

}  // namespace casecrypt::workflow
