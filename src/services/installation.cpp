#include "services/installation.h"

#include <sys/stat.h>

#include "core/scratch_dir.h"
#include "crypto/openssl_error.h"
#include "services/master_key.h"

namespace casecrypt::services {

Installation::Installation(std::filesystem::path data_dir,
                           std::unique_ptr<store::Database> database, crypto::KeyVault vault,
                           const Clock& clock)
    : m_data_dir(std::move(data_dir)),
      m_database(std::move(database)),
      m_vault(std::move(vault)),
      m_certificate_store(*m_database),
      m_property_store(*m_database),
      m_audit(*m_database),
      m_outbox_store(*m_database),
      m_ldap_misses(*m_database),
      m_account_store(*m_database),
      m_incoming_store(*m_database),
      m_ticket_store(*m_database),
      m_certificate_admin(m_certificate_store, m_audit, m_vault, clock),
      m_properties(m_property_store, m_audit, m_vault, clock),
      m_mail_crypto(m_certificate_admin.key_ring(), m_properties, clock, m_data_dir / "tmp"),
      m_resolver(m_certificate_store, m_certificate_admin, m_ldap_misses, m_properties, clock),
      m_recipient_lookup(m_resolver),
      m_outgoing(m_resolver, m_outbox_store, m_properties, clock, m_data_dir / "tmp"),
      m_delivery(m_outbox_store, m_properties, clock, m_data_dir),
      m_accounts(m_account_store, m_audit, m_vault, m_properties, clock),
      m_tickets(*m_database, m_ticket_store, m_audit, m_properties, m_outgoing, clock),
      m_incoming(*m_database, m_incoming_store, m_accounts, m_certificate_admin, m_tickets,
                 m_properties, m_audit, clock, m_data_dir / "tmp"),
      m_outbox(m_outgoing, m_tickets, m_delivery, m_outbox_store) {}

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
    std::unique_ptr<Installation> installation(
        new Installation(options.data_dir, std::move(*database), std::move(*vault), clock));
    if (auto registered = installation->m_properties.register_all(); !registered) {
        return std::unexpected(registered.error());
    }
    if (auto local = installation->m_accounts.ensure_local(options.data_dir); !local) {
        return std::unexpected(local.error());
    }
    return installation;
}

}  // namespace casecrypt::services
