// IncomingMail: the way in (DESIGN.md, "Incoming mail"). A fetch reads one mailbox, stores
// every mail it has not stored before raw and committed, and only then marks it read or deletes
// it on the server; then every stored mail not yet processed is matched to our server
// certificates by its recipient addresses, decrypted, parsed and handed to Tickets to be filed,
// in one transaction with its claim. What cannot be processed becomes an email backup with the
// cause, raw bytes kept, for the admin to see and retry. Nothing about a failure goes back to
// the sender. A whole polling round (every account, then processing, then delivery) is
// PollingRound's. Not thread-safe (one database connection); one per worker.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/error.h"
#include "services/mail_accounts.h"
#include "services/properties.h"
#include "services/tickets.h"
#include "services/workflows.h"

namespace casecrypt::store {
class AuditLog;
class Database;
class IncomingStore;
struct IncomingRecord;
}  // namespace casecrypt::store

namespace casecrypt::services {

class CertificateAdmin;

struct AccountFetch {
    std::string account;
    int listed = 0;
    int fetched = 0;    // new mails stored in this round
    std::string error;  // the mailbox could not be read (or not all of it)
};

// What became of one stored mail; each mail has exactly one.
enum class MailOutcome {
    new_ticket,  // filed into a new ticket
    appended,    // filed into an existing ticket
    duplicate,   // a second copy of a mail already filed: not filed again
    backup,      // kept as an email backup (`cause` says why)
    failed,      // this attempt failed and was rolled back; tried again later (`cause`)
};
std::string to_string(MailOutcome outcome);  // "new ticket", "appended", "duplicate", ...

struct ProcessOutcome {
    long long incoming_id = 0;
    std::string account;  // the mailbox it came from
    MailOutcome outcome = MailOutcome::backup;
    long long ticket = 0;          // new_ticket, appended, duplicate
    long long ticket_message = 0;  // new_ticket, appended
    std::string cause;             // backup, failed
    int attempt = 0;               // which attempt at this mail this was (1 = the first)
    // A different mail with a Message-ID an earlier one already had (filed all the same).
    bool reused_message_id = false;

    bool filed() const {
        return outcome == MailOutcome::new_ticket || outcome == MailOutcome::appended ||
               outcome == MailOutcome::duplicate;
    }
};

struct ProcessSummary {
    int new_tickets = 0;
    int appended = 0;
    int duplicates = 0;
    int backups = 0;
    int failed = 0;  // attempts that failed; those mails are tried again later
    std::vector<ProcessOutcome> outcomes;
};

// An email backup as the admin sees it (no raw bytes: save_backup writes those).
struct BackupView {
    long long id = 0;
    std::string account;
    std::string subject;       // of the outer header
    std::string from_address;  // ditto
    std::string message_id;
    long long size = 0;
    TimePoint received{};
    std::optional<TimePoint> kept;  // when it became a backup
    int attempts = 0;
    std::string cause;
};

class IncomingMail {
public:
    IncomingMail(store::Database& database, store::IncomingStore& incoming, MailAccounts& accounts,
                 CertificateAdmin& certificates, Tickets& tickets, Workflows& workflows,
                 Properties& properties, store::AuditLog& audit, const Clock& clock,
                 std::filesystem::path work_dir);
    ~IncomingMail();

    // One account: list, store what is new, tell the server. The error of an unreadable
    // mailbox is in the result (and recorded on the account), not a failure here; Errc::io
    // only when our own database fails.
    Result<AccountFetch> fetch(const std::string& account);
    // Processes every stored mail not processed yet, each once per call, oldest first, then
    // runs the workflows of what it filed (ticket-created, email-received; none for a mail
    // that is IncomingMessage::automatic), each after its mail is committed. A mail
    // whose filing fails or throws does not stop the others: the attempt is counted (committed
    // before the work, so a mail that kills the process is counted too), the next mail is
    // taken, and after mailbox.default.task.max.attempts the mail becomes an email backup with
    // the cause. Errc::io only when our database cannot even record that.
    Result<ProcessSummary> process_pending();
    // `backup retry`: the backup is processed again now (e.g. after the missing server
    // certificate was imported). Errc::not_found when it is no backup.
    Result<ProcessOutcome> retry_backup(long long id, const std::string& actor);
    // Newest first.
    Result<std::vector<BackupView>> backups();
    // Errc::not_found when it is no backup.
    Result<BackupView> backup(long long id);
    // Writes the backup's raw bytes, exactly as fetched, to `out` (mode 0600, atomically);
    // how many. Errc::not_found when it is no backup.
    Result<long long> save_backup(long long id, const std::filesystem::path& out);
    Result<void> delete_backup(long long id, const std::string& actor);

private:
    // Server identities and signature trust, read once per batch (not per mail).
    struct Keys;
    // One attempt at one mail whose attempt was counted: filed, kept as a backup, failed (to
    // be tried again), or empty when another process had it.
    Result<std::optional<ProcessOutcome>> attempt(long long id, int attempts,
                                                  const std::string& account);
    // Claims the mail and files it or keeps it as a backup, in one transaction. Empty when
    // another process had it; an Error (rolled back) when filing failed or threw.
    Result<std::optional<ProcessOutcome>> process_one(long long id);
    // The pipeline for one mail: an outcome (filed or backup cause), or Errc::io when our own
    // storage fails (the transaction is then rolled back and the mail stays new).
    Result<ProcessOutcome> file_mail(store::IncomingRecord& record);
    Result<const Keys*> keys();
    // Whether the sender is one of our server certificates' addresses (our own mail come back).
    Result<bool> from_our_address(const std::string& sender);
    // The workflows of the events just committed; their failure is logged, never returned.
    void run_workflows();

    std::unique_ptr<Keys> m_keys;
    std::optional<std::vector<std::string>> m_our_addresses;  // lower-cased, per batch
    store::Database& m_database;
    store::IncomingStore& m_incoming;
    MailAccounts& m_accounts;
    CertificateAdmin& m_certificates;
    Tickets& m_tickets;
    Workflows& m_workflows;
    Properties& m_properties;
    store::AuditLog& m_audit;
    const Clock& m_clock;
    std::filesystem::path m_work_dir;
};

}  // namespace casecrypt::services
