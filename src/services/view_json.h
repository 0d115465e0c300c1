// The JSON form of the services' typed views: one serialiser for every edge, so `casecrypt ...
// --json` and the web API (docs/api.md) print the same objects with the same field names
// (scripts read them: keep them). Pure functions of the values; thread-safe.
#pragma once

#include <nlohmann/json.hpp>

#include "services/audit_trail.h"
#include "services/certificate_view.h"
#include "services/incoming_mail.h"
#include "services/mail_accounts.h"
#include "services/outbox.h"
#include "services/page_customizations.h"
#include "services/polling_round.h"
#include "services/properties.h"
#include "services/recipient_lookup.h"
#include "services/send_report.h"
#include "services/sessions.h"
#include "services/tickets.h"
#include "services/users.h"
#include "services/workflows.h"

namespace casecrypt::services {

// `cert list --json`; certificate_details_json adds "chain" (`cert show --json`).
nlohmann::json certificate_json(const CertificateView& view);
nlohmann::json certificate_details_json(const CertificateDetails& details);

nlohmann::json ticket_json(const TicketSummary& ticket);
// With its messages and its notes ({"id", "at", "author", "text"}, oldest first).
nlohmann::json ticket_json(const TicketView& view);
nlohmann::json message_json(const MessageView& message);
nlohmann::json backup_json(const BackupView& backup);
nlohmann::json account_json(const AccountView& account);
// One object: fetched, new_tickets, appended, backups, duplicates, failed, accounts (each with
// name, the same counts, and error: null or the sentence).
nlohmann::json round_json(const RoundReport& report);

// `cert resolve --json` (address, source, certificate) plus, for the editor's chips, reason
// (null when found) and store_certificates.
nlohmann::json recipient_certificate_json(const RecipientCertificate& lookup);

// `mail send --json` without "delivery"; `outbox list --json`.
nlohmann::json report_json(const SendReport& report);
nlohmann::json outbox_json(const OutboxView& entry);

// `property list --json`.
nlohmann::json property_json(const PropertyView& property);
// `page-customization list --json`: type, name, value, value_type, default, description,
// is_default.
nlohmann::json page_customization_json(const PageCustomizationView& view);

// `user list --json`: login, role, must_change_password, created, created_by, last_login. No
// password hash: a view has none.
nlohmann::json user_json(const UserView& user);
// GET /api/session: login, role, must_change_password, csrf_token, expires.
nlohmann::json session_json(const SessionView& session);
// `audit list --json`: id, at, actor, action, detail.
nlohmann::json audit_json(const AuditEntryView& entry);

// `workflow list --json`, GET /api/workflows: id, name, event ("ticket-created", ...),
// every_minutes (null but for timers), enabled, script, created, updated, updated_by, next_run
// (null but for timers), last_run (null or workflow_run_json).
nlohmann::json workflow_json(const WorkflowView& workflow);
// One run: id, workflow, event, ticket (null for timers), started, finished, outcome ("ok",
// "failed", "stopped"), error (null when ok), line (null when the error names none), log, mails
// (how many were sent, or decided in a dry run), reports (report_json of each mail, when the run
// carries them), dry_run, actor.
nlohmann::json workflow_run_json(const WorkflowRunView& run);
// A script that does not compile: error (Lua's message), line (null when it names none).
nlohmann::json script_problem_json(const ScriptProblem& problem);

}  // namespace casecrypt::services
