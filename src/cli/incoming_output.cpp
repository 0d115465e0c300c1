#include "cli/incoming_output.h"

#include "core/iso_time.h"

namespace casecrypt::cli {
namespace {

std::string plural(int n, const std::string& one, const std::string& many) {
    return std::to_string(n) + " " + (n == 1 ? one : many);
}

}  // namespace

std::string outcome_line(const services::ProcessOutcome& o) {
    const std::string mail = "incoming " + std::to_string(o.incoming_id) + ": ";
    switch (o.outcome) {
        case services::MailOutcome::failed:
            return mail + "attempt " + std::to_string(o.attempt) +
                   " failed, to be tried again: " + o.cause;
        case services::MailOutcome::backup:
            return mail + "kept as email backup: " + o.cause;
        case services::MailOutcome::duplicate:
            return mail + "a copy of a mail already in ticket " + std::to_string(o.ticket);
        case services::MailOutcome::new_ticket:
        case services::MailOutcome::appended:
            break;
    }
    return mail +
           (o.outcome == services::MailOutcome::new_ticket ? "new ticket "
                                                           : "appended to ticket ") +
           std::to_string(o.ticket) +
           (o.reused_message_id ? " (a different mail that reuses an earlier Message-ID)" : "");
}

std::string totals_line(const services::RoundCounts& c) {
    std::string line = std::to_string(c.new_tickets + c.appended) + " filed into tickets, " +
                       std::to_string(c.backups) + " kept as email backups";
    if (c.duplicates > 0)
        line += ", " + plural(c.duplicates, "copy", "copies") + " of mail already filed";
    if (c.failed > 0)
        line += ", " + std::to_string(c.failed) + " to be tried again";
    return line;
}

}  // namespace casecrypt::cli
