// The send report as it is kept in the database (the outbox copy's `report`, the ticket
// message's `report`): JSON text with the field names `mail send --json` has always printed.
// Internal to services: the persistence is the services' business, edges get SendReport values.
// Thread-safe (pure functions).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "services/send_report.h"

namespace casecrypt::services {

// {"mail_id", "encrypted", "rejected", "decision" (the sentence), "recipients": [{"address",
// "kind", "outcome", "certificate": null | {"id", "fingerprint_sha256", "source", "serial",
// "not_after"}}], "outbox_ids"}. Delivery outcomes are not kept (the copy's state says it).
std::string send_report_json(const SendReport& report);

// nullopt for text that is no send report (an empty column, a report of another kind).
std::optional<SendReport> parse_send_report(std::string_view text);

}  // namespace casecrypt::services
