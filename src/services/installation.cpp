#include "services/installation.h"

#include <sys/stat.h>

#include "core/scratch_dir.h"
#include "crypto/key_vault.h"
#include "crypto/openssl_error.h"
#include "services/certificate_resolver.h"
#include "services/delivery.h"
#include "services/master_key.h"
#include "services/outgoing_mail.h"
#include "store/account_store.h"
#include "store/audit_log.h"
#include "store/certificate_store.h"
#include "store/database.h"
#include "store/incoming_store.h"
#include "store/ldap_miss_store.h"
#include "store/outbox_store.h"
#include "store/property_store.h"
#include "store/ticket_store.h"
#include "store/workflow_store.h"

namespace casecrypt::services {

// Everything one installation owns, in the order it is built (each part refers only to the
// parts above it) and destroyed in reverse.
struct Installation::Parts {
    Parts(const std::filesystem::path& data_dir, std::unique_ptr<store::Database> db,
          crypto::KeyVault key_vault, const Clock& clock)
        : database(std::move(db)),
          vault(std::move(key_vault)),
          certificate_store(*database),
          property_store(*database),
          audit(*database),
          outbox_store(*database),
          ldap_misses(*database),
          account_store(*database),
          incoming_store(*database),
          ticket_store(*database),
          workflow_store(*database),
          certificate_admin(certificate_store, audit, vault, clock),
          properties(property_store, audit, vault, clock),
          mail_crypto(certificate_admin.key_ring(), properties, clock, data_dir / "tmp"),
          resolver(certificate_store, certificate_admin, ldap_misses, properties, clock),
          recipient_lookup(resolver, certificate_store),
          outgoing(resolver, outbox_store, properties, clock, data_dir / "tmp"),
          delivery(outbox_store, properties, clock, data_dir),
          accounts(account_store, audit, vault, properties, clock),
          workflows(*database, workflow_store, ticket_store, audit, clock),
          tickets(*database, ticket_store, audit, properties, outgoing, workflows, clock),
          incoming(*database, incoming_store, accounts, certificate_admin, tickets, workflows,
                   properties, audit, clock, data_dir / "tmp"),
          outbox(outgoing, tickets, delivery, outbox_store, audit, clock),
          polling_round(accounts, incoming, delivery),
          users(*database, audit, clock),
          sessions(*database, users, properties, audit, clock),
          page_customizations(*database, audit, clock),
          audit_trail(audit) {}

    std::unique_ptr<store::Database> database;
    crypto::KeyVault vault;
    store::CertificateStore certificate_store;
    store::PropertyStore property_store;
    store::AuditLog audit;
    store::OutboxStore outbox_store;
    store::LdapMissStore ldap_misses;
    store::AccountStore account_store;
    store::IncomingStore incoming_store;
    store::TicketStore ticket_store;
    store::WorkflowStore workflow_store;
    CertificateAdmin certificate_admin;
    Properties properties;
    MailCrypto mail_crypto;
    CertificateResolver resolver;
    RecipientLookup recipient_lookup;
    OutgoingMail outgoing;
    Delivery delivery;
    MailAccounts accounts;
    Workflows workflows;
    Tickets tickets;
    IncomingMail incoming;
    Outbox outbox;
    PollingRound polling_round;
    Users users;
    Sessions sessions;
    PageCustomizations page_customizations;
    AuditTrail audit_trail;
};

Installation::Installation(std::filesystem::path data_dir, std::unique_ptr<Parts> parts)
    : m_data_dir(std::move(data_dir)), m_parts(std::move(parts)) {}

Installation::~Installation() = default;

CertificateAdmin& Installation::certificates() {
    return m_parts->certificate_admin;
}
Properties& Installation::properties() {
    return m_parts->properties;
}
MailCrypto& Installation::mail_crypto() {
    return m_parts->mail_crypto;
}
RecipientLookup& Installation::recipient_lookup() {
    return m_parts->recipient_lookup;
}
Outbox& Installation::outbox() {
    return m_parts->outbox;
}
MailAccounts& Installation::accounts() {
    return m_parts->accounts;
}
Tickets& Installation::tickets() {
    return m_parts->tickets;
}
IncomingMail& Installation::incoming() {
    return m_parts->incoming;
}
PollingRound& Installation::polling_round() {
    return m_parts->polling_round;
}

Users& Installation::users() {
    return m_parts->users;
}

Sessions& Installation::sessions() {
    return m_parts->sessions;
}

PageCustomizations& Installation::page_customizations() {
    return m_parts->page_customizations;
}

AuditTrail& Installation::audit() {
    return m_parts->audit_trail;
}

Workflows& Installation::workflows() {
    return m_parts->workflows;
}

Result<std::unique_ptr<Installation>> Installation::open(const InstallationOptions& options,
                                                         const Clock& clock) {
    if (auto ready = crypto::init_openssl(); !ready) {
        return std::unexpected(ready.error());
    }
    std::error_code ec;
    std::filesystem::create_directories(options.data_dir, ec);
    if (ec) {
        return fail(Errc::io, "cannot create the data directory " + options.data_dir.string() +
                                  ": " + ec.message());
    }
    // The directory holds the master key and the database: keep it to its owner.
    ::chmod(options.data_dir.c_str(), 0700);
    // Work directories a killed process left behind hold decrypted plaintext: remove them now
    // (only those whose owner is gone; a running `serve` or `mail fetch` keeps its own).
    ScratchDir::remove_stale(options.data_dir / "tmp");
    const std::string url = options.database_url.empty()
                                ? (options.data_dir / "casecrypt.db").string()
                                : options.database_url;
    auto database = store::Database::open(url);
    if (!database) {
        return std::unexpected(database.error());
    }
    // After the database: whether a missing key may be made depends on what it holds sealed.
    auto vault =
        open_master_key(options.master_key.value_or(options.data_dir / "master.key"), **database);
    if (!vault) {
        return std::unexpected(vault.error());
    }
    auto parts =
        std::make_unique<Parts>(options.data_dir, std::move(*database), std::move(*vault), clock);
    if (auto registered = parts->properties.register_all(); !registered) {
        return std::unexpected(registered.error());
    }
    if (auto local = parts->accounts.ensure_local(options.data_dir); !local) {
        return std::unexpected(local.error());
    }
    std::unique_ptr<Installation> installation(
        new Installation(options.data_dir, std::move(parts)));
    // Last: the engine calls the installation's services back.
    if (options.script_engine)
        installation->workflows().set_engine(options.script_engine(*installation));
    return installation;
}

}  // namespace casecrypt::services
