// How the incoming side's typed results look on the CLI: the `--json` serialisers (today's
// field names) and the sentences of `mail fetch` and `serve`. Pure functions of the values.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "services/incoming_mail.h"
#include "services/mail_accounts.h"
#include "services/polling_round.h"
#include "services/tickets.h"

namespace casecrypt::cli {

nlohmann::json ticket_json(const services::TicketSummary& ticket);
nlohmann::json ticket_json(const services::TicketView& view);  // with its messages
nlohmann::json backup_json(const services::BackupView& backup);
nlohmann::json account_json(const services::AccountView& account);
// One object: fetched, new_tickets, appended, backups, duplicates, failed, accounts (each with
// name, the same counts, and error: null or the sentence).
nlohmann::json round_json(const services::RoundReport& report);

// "incoming 7: new ticket 3", "incoming 8: kept as email backup: ..."
std::string outcome_line(const services::ProcessOutcome& outcome);
// "2 filed into tickets, 1 kept as email backups, 1 copy of a mail already filed"
std::string totals_line(const services::RoundCounts& counts);

}  // namespace casecrypt::cli
