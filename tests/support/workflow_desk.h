// WorkflowDesk: a Helpdesk (one data directory and its `local` mailbox, driven through the real
// binary) with what the workflow tests do again and again: write a script and add it, read the
// runs and the outbox as JSON, drop a mail from a given sender.
#pragma once

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "support/helpdesk.h"

namespace casecrypt::test {

class WorkflowDesk : public Helpdesk {
public:
    // Writes `script` to <tmp>/<name>.lua and returns the path.
    std::string script(const std::string& name, const std::string& text) const {
        const auto path = std::filesystem::path(data()).parent_path() / (name + ".lua");
        std::ofstream(path, std::ios::binary) << text;
        return path.string();
    }
    // `workflow add NAME --on EVENT <script> extra...`; the result as it came.
    CliResult add(const std::string& name, const std::string& event, const std::string& text,
                  std::vector<std::string> extra = {}) const {
        std::vector<std::string> args = {"workflow", "add", name,
                                         "--on",     event, script(name, text)};
        args.insert(args.end(), extra.begin(), extra.end());
        return run(args);
    }
    nlohmann::json runs(const std::string& name = "") const {
        std::vector<std::string> args = {"workflow", "runs", "--json"};
        if (!name.empty())
            args.push_back(name);
        return json(args);
    }
    nlohmann::json outbox() const { return json({"outbox", "list", "--json"}); }
    std::filesystem::path outgoing() const {
        return std::filesystem::path(data()) / "mail" / "outgoing";
    }
    // The outgoing mail file of an outbox copy.
    std::filesystem::path outgoing_file(long long outbox_id) const {
        return outgoing() / (std::to_string(outbox_id) + ".eml");
    }
    void set_property(const std::string& name, const std::string& value) const {
        const auto r = run({"property", "set", "cmas-core-server", name, value});
        ASSERT_EQ(r.exit_code, 0) << r.err;
    }
};

// A plain mail from `from` to support@example.test, with extra header lines.
inline std::string mail_from(const std::string& from, const std::string& subject,
                             const std::string& message_id, const std::string& extra = "") {
    return "From: " + from + "\nTo: support@example.test\nSubject: " + subject + "\nMessage-ID: <" +
           message_id + ">\nDate: Sat, 28 Nov 2026 08:00:00 +0000\n" + extra +
           "MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n\nHello, support.\n";
}

// A ticket-created script that acknowledges the mail to the customer; `before_send` goes
// between building and sending (mail:disableEncryption(), mail:setAppendToTicket(ticket), ...).
inline std::string acknowledge_script(const std::string& before_send = "") {
    return "local mail = Mail.new()\n"
           "mail:setFrom(\"support@example.test\")\n"
           "mail:setTo(ticket.customer)\n"
           "mail:setSubject(\"Ticket (\" .. ticket.number .. \") received\")\n"
           "mail:setText(\"We have your mail and will answer soon.\")\n" +
           before_send +
           "local report = mail:send()\n"
           "workflowAPI.log(\"acknowledged ticket \" .. ticket.number)\n";
}

}  // namespace casecrypt::test
