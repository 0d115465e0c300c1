// MailAccounts: the mailboxes incoming mail is fetched from (`account add|list|remove`), with
// their passwords sealed under the master key, and the `local` account every installation gets
// on first start: the directory <data-dir>/mail/incoming/ (the embedded default).
// Not thread-safe (one database connection).
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/error.h"
#include "core/secret.h"
#include "services/properties.h"

namespace casecrypt::crypto {
class KeyVault;
}
namespace casecrypt::store {
class AccountStore;
class AuditLog;
}  // namespace casecrypt::store
namespace casecrypt::transport {
struct MailboxSettings;
}

namespace casecrypt::services {

// A mailbox as the admin sees it (never its password).
struct AccountView {
    std::string name;
    std::string url;
    std::string user;
    TimePoint created{};
    std::string created_by;
    std::optional<TimePoint> last_fetch;
    std::string last_error;  // of the last fetch; empty when it went well
};

inline constexpr const char* kLocalAccount = "local";

// What an account's sealed password is bound to (the KeyVault's associated data).
std::string account_sealing_context(const std::string& name);

class MailAccounts {
public:
    MailAccounts(store::AccountStore& store, store::AuditLog& audit, const crypto::KeyVault& vault,
                 Properties& properties, const Clock& clock)
        : m_store(store),
          m_audit(audit),
          m_vault(vault),
          m_properties(properties),
          m_clock(clock) {}

    // Errc::usage for a bad name or URL, Errc::rejected when the name is taken.
    Result<AccountView> add(const std::string& name, const std::string& url,
                            const std::string& user, const Secret& password,
                            const std::string& actor);
    // Ordered by name.
    Result<std::vector<AccountView>> list();
    // Errc::not_found for an unknown name. Mail fetched from it stays.
    Result<void> remove(const std::string& name, const std::string& actor);
    // How to open the account's mailbox now (password unsealed, timeouts and trust from the
    // cmas-nimh properties). Errc::not_found for an unknown name.
    Result<transport::MailboxSettings> settings(const std::string& name);
    // Tests the connection (`account test`, the admin tool's button): opens the mailbox as a
    // fetch would and lists it, changing nothing. How many mails it holds; the error of the
    // server or directory otherwise (Errc::not_found for an unknown name).
    Result<int> test(const std::string& name);
    Result<void> record_fetch(const std::string& name, const std::string& error);

    // Creates the `local` account (dir://<data-dir>/mail/incoming) the first time an
    // installation opens; once removed, it stays removed.
    Result<void> ensure_local(const std::filesystem::path& data_dir);

private:
    store::AccountStore& m_store;
    store::AuditLog& m_audit;
    const crypto::KeyVault& m_vault;
    Properties& m_properties;
    const Clock& m_clock;
};

}  // namespace casecrypt::services
