// Installation: one casecrypt installation opened for work: its data directory, master key,
// database (migrated) and the services over them. The composition root that the CLI, and later
// the web server and the workers, start from; each thread opens its own.
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
#include "crypto/key_vault.h"
#include "services/certificate_admin.h"
#include "services/certificate_resolver.h"
#include "services/delivery.h"
#include "services/incoming_mail.h"
#include "services/mail_accounts.h"
#include "services/mail_crypto.h"
#include "services/outbox.h"
#include "services/outgoing_mail.h"
#include "services/properties.h"
#include "services/recipient_lookup.h"
#include "services/tickets.h"
#include "store/account_store.h"
#include "store/audit_log.h"
#include "store/certificate_store.h"
#include "store/database.h"
#include "store/incoming_store.h"
#include "store/ldap_miss_store.h"
#include "store/outbox_store.h"
#include "store/property_store.h"
#include "store/ticket_store.h"

namespace casecrypt::services {

struct InstallationOptions {
    std::filesystem::path data_dir;
    std::string database_url;                         // empty: SQLite in the data directory
    std::optional<std::filesystem::path> master_key;  // empty: <data_dir>/master.key
};

class Installation {
public:
    static Result<std::unique_ptr<Installation>> open(const InstallationOptions& options,
                                                      const Clock& clock);

    const std::filesystem::path& data_dir() const { return m_data_dir; }
    store::Database& database() { return *m_database; }
    CertificateAdmin& certificates() { return m_certificate_admin; }
    Properties& properties() { return m_properties; }
    MailCrypto& mail_crypto() { return m_mail_crypto; }
    CertificateResolver& resolver() { return m_resolver; }
    RecipientLookup& recipient_lookup() { return m_recipient_lookup; }
    OutgoingMail& outgoing() { return m_outgoing; }
    Delivery& delivery() { return m_delivery; }
    // Sending, retrying, delivering and listing outgoing mail: what the edges call.
    Outbox& outbox() { return m_outbox; }
    store::AuditLog& audit() { return m_audit; }
    MailAccounts& accounts() { return m_accounts; }
    Tickets& tickets() { return m_tickets; }
    IncomingMail& incoming() { return m_incoming; }
    // Where operations keep their intermediate files (<data-dir>/tmp, private to the owner).
    std::filesystem::path work_dir() const { return m_data_dir / "tmp"; }

private:
    Installation(std::filesystem::path data_dir, std::unique_ptr<store::Database> database,
                 crypto::KeyVault vault, const Clock& clock);

    std::filesystem::path m_data_dir;
    std::unique_ptr<store::Database> m_database;
    crypto::KeyVault m_vault;
    store::CertificateStore m_certificate_store;
    store::PropertyStore m_property_store;
    store::AuditLog m_audit;
    store::OutboxStore m_outbox_store;
    store::LdapMissStore m_ldap_misses;
    store::AccountStore m_account_store;
    store::IncomingStore m_incoming_store;
    store::TicketStore m_ticket_store;
    CertificateAdmin m_certificate_admin;
    Properties m_properties;
    MailCrypto m_mail_crypto;
    CertificateResolver m_resolver;
    RecipientLookup m_recipient_lookup;
    OutgoingMail m_outgoing;
    Delivery m_delivery;
    MailAccounts m_accounts;
    Tickets m_tickets;
    IncomingMail m_incoming;
    Outbox m_outbox;
};

}  // namespace casecrypt::services
