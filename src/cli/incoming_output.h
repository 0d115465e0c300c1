// How the incoming side's typed results read on the CLI: the sentences of `mail fetch` and
// `serve` (their JSON is services/view_json.h). Pure functions of the values.
#pragma once

#include <string>

#include "services/incoming_mail.h"
#include "services/mail_accounts.h"
#include "services/polling_round.h"
#include "services/tickets.h"

namespace casecrypt::cli {

// "incoming 7: new ticket 3", "incoming 8: kept as email backup: ..."
std::string outcome_line(const services::ProcessOutcome& outcome);
// "2 filed into tickets, 1 kept as email backups, 1 copy of a mail already filed"
std::string totals_line(const services::RoundCounts& counts);

}  // namespace casecrypt::cli
