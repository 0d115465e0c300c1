// IncomingMail: the way in (DESIGN.md, "Incoming mail"). A fetch round reads each mailbox,
// stores every mail it has not stored before raw and committed, and only then marks it read or
// deletes it on the server; then every stored mail not yet processed is matched to our server
// certificates by its recipient addresses, decrypted, parsed and filed into its ticket, in one
// transaction with its claim. What cannot be processed becomes an email backup with the cause,
// raw bytes kept, for the admin to see and retry. Nothing about a failure goes back to the
// sender. Not thread-safe (one database connection); one per worker.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/error.h"
#include "services/certificate_admin.h"
#include "services/key_ring.h"
#include "services/mail_accounts.h"
#include "services/properties.h"
#include "services/tickets.h"
#include "store/database.h"
#include "store/incoming_store.h"

namespace casecrypt::services {

struct AccountFetch {
    std::string account;
    int listed = 0;
    int fetched = 0;    // new mails stored in this round
    std::string error;  // the mailbox could not be read (or not all of it)
};

// What became of one stored mail.
struct ProcessOutcome {
    long long incoming_id = 0;
    bool filed = false;
    long long ticket = 0;  // when filed
    bool new_ticket = false;
    long long ticket_message = 0;  // 0 when it was a duplicate of a filed message
    std::string cause;             // when kept as a backup
    int attempt = 0;               // which attempt at this mail this was (1 = the first)
    // This attempt failed and was rolled back (our storage, or something unexpected): the mail
    // stays new and is tried again in the next round, until mailbox.default.task.max.attempts.
    std::string failure;
    // A different mail with a Message-ID an earlier one already had (filed all the same).
    bool reused_message_id = false;
};

struct ProcessSummary {
    int filed = 0;
    int backups = 0;
    int failed = 0;  // attempts that failed; those mails are tried again later
    std::vector<ProcessOutcome> outcomes;
};

class IncomingMail {
public:
    IncomingMail(store::Database& database, store::IncomingStore& incoming, MailAccounts& accounts,
                 CertificateAdmin& certificates, Tickets& tickets, Properties& properties,
                 store::AuditLog& audit, const Clock& clock, std::filesystem::path work_dir)
        : m_database(database),
          m_incoming(incoming),
          m_accounts(accounts),
          m_certificates(certificates),
          m_tickets(tickets),
          m_properties(properties),
          m_audit(audit),
          m_clock(clock),
          m_work_dir(std::move(work_dir)) {}

    // One round for one account: list, store what is new, tell the server. The error of an
    // unreadable mailbox is in the result (and recorded on the account), not a failure here;
    // Errc::io only when our own database fails.
    Result<AccountFetch> fetch(const std::string& account);
    // Processes every stored mail not processed yet, each once per call, oldest first. A mail
    // whose filing fails or throws does not stop the others: the attempt is counted (committed
    // before the work, so a mail that kills the process is counted too), the next mail is
    // taken, and after mailbox.default.task.max.attempts the mail becomes an email backup with
    // the cause. Errc::io only when our database cannot even record that.
    Result<ProcessSummary> process_pending();
    // `backup retry`: the backup is processed again now (e.g. after the missing server
    // certificate was imported). Errc::not_found when it is no backup.
    Result<ProcessOutcome> retry_backup(long long id, const std::string& actor);
    Result<std::vector<store::IncomingRecord>> backups();
    // With its raw bytes. Errc::not_found when it is no backup.
    Result<store::IncomingRecord> backup(long long id);
    Result<void> delete_backup(long long id, const std::string& actor);

private:
    // One attempt at one mail whose attempt was counted: filed, kept as a backup, failed (to
    // be tried again), or empty when another process had it.
    Result<std::optional<ProcessOutcome>> attempt(const store::IncomingStore::Attempt& attempt);
    // Claims the mail and files it or keeps it as a backup, in one transaction. Empty when
    // another process had it; an Error (rolled back) when filing failed or threw.
    Result<std::optional<ProcessOutcome>> process_one(long long id);
    // The pipeline for one mail: an outcome (filed or backup cause), or Errc::io when our own
    // storage fails (the transaction is then rolled back and the mail stays new).
    Result<ProcessOutcome> file_mail(store::IncomingRecord record);

    // Server identities and signature trust, read once per batch (not per mail).
    struct Keys {
        std::vector<crypto::DecryptionIdentity> identities;
        crypto::TrustAnchors anchors;
    };
    Result<const Keys*> keys();

    std::optional<Keys> m_keys;
    store::Database& m_database;
    store::IncomingStore& m_incoming;
    MailAccounts& m_accounts;
    CertificateAdmin& m_certificates;
    Tickets& m_tickets;
    Properties& m_properties;
    store::AuditLog& m_audit;
    const Clock& m_clock;
    std::filesystem::path m_work_dir;
};

}  // namespace casecrypt::services
