// Installation: one casecrypt installation opened for work: its data directory, master key,
// database (migrated) and the services over them. The composition root that the CLI, and later
// the web server and the workers, start from; each thread opens its own.
//
// It hands out only the services the edges call (their headers include no store/, crypto/,
// ldap/, transport/ or mime/ header; docs/architecture.md). The stores, the key vault and the
// internal services (resolver, delivery, S/MIME engine) live behind it in `Parts`, so an edge
// cannot reach past a service into the database.
//
// Data directory layout: <dir>/casecrypt.db (SQLite, unless a database URL is given),
// <dir>/master.key (mode 0600, or $CASECRYPT_MASTER_KEY_FILE; made only for a database with
// nothing sealed, see services/master_key.h), <dir>/mail/incoming/ (the `local` account's
// mailbox), <dir>/mail/outgoing/ (the directory transport), <dir>/tmp/ (work files).
//
// Threads: an Installation (its one database connection and the services over it) belongs to
// one thread; it is not thread-safe. Each thread that works (a `serve` worker, a web request
// thread) opens its own Installation over the same data directory and database URL, and they
// may be opened at once: the schema is migrated by the first, under a lock, and the others find
// it done (store/database.h); the master key is made whole by exactly one (crypto/key_vault.h).
// They share the data directory's files safely: SQLite in WAL mode, every transaction taking the
// write lock at BEGIN IMMEDIATE and waiting up to 30 s for it (busy timeout), so writers queue
// rather than fail with "database is locked"; PostgreSQL with its own locking; mail files
// written to a temporary name and renamed into place; work files in a scratch directory per
// operation under <dir>/tmp.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "core/clock.h"
#include "core/error.h"
#include "services/audit_trail.h"
#include "services/certificate_admin.h"
#include "services/incoming_mail.h"
#include "services/mail_accounts.h"
#include "services/mail_crypto.h"
#include "services/outbox.h"
#include "services/page_customizations.h"
#include "services/polling_round.h"
#include "services/properties.h"
#include "services/recipient_lookup.h"
#include "services/sessions.h"
#include "services/tickets.h"
#include "services/users.h"
#include "services/workflows.h"

namespace casecrypt::services {

struct InstallationOptions {
    std::filesystem::path data_dir;
    std::string database_url;                         // empty: SQLite in the data directory
    std::optional<std::filesystem::path> master_key;  // empty: <data_dir>/master.key
    // The workflow scripts' language (workflow::lua_engine_factory()); empty: this process
    // records workflow events but runs no script (Workflows::set_engine).
    ScriptEngineFactory script_engine = {};
};

class Installation {
public:
    static Result<std::unique_ptr<Installation>> open(const InstallationOptions& options,
                                                      const Clock& clock);
    ~Installation();
    Installation(const Installation&) = delete;
    Installation& operator=(const Installation&) = delete;

    const std::filesystem::path& data_dir() const { return m_data_dir; }
    // Where operations keep their intermediate files (<data-dir>/tmp, private to the owner).
    std::filesystem::path work_dir() const { return m_data_dir / "tmp"; }

    CertificateAdmin& certificates();
    Properties& properties();
    MailCrypto& mail_crypto();
    RecipientLookup& recipient_lookup();
    // Sending, retrying, delivering and listing outgoing mail.
    Outbox& outbox();
    MailAccounts& accounts();
    Tickets& tickets();
    IncomingMail& incoming();
    // One polling round (fetch, file, deliver): `serve` and `mail fetch` both run it.
    PollingRound& polling_round();
    // Who may log in to the web edge, their sessions, the pages' switches and the audit log.
    Users& users();
    Sessions& sessions();
    PageCustomizations& page_customizations();
    AuditTrail& audit();
    // Administrators' scripts that react to tickets, their runs and timers.
    Workflows& workflows();

private:
    struct Parts;
    Installation(std::filesystem::path data_dir, std::unique_ptr<Parts> parts);

    std::filesystem::path m_data_dir;
    std::unique_ptr<Parts> m_parts;
};

}  // namespace casecrypt::services
