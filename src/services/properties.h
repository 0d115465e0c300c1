// Properties: the system properties administrators know by name (DESIGN.md, "Settings"),
// their registration with defaults, and typed reads and checked writes.
//
// Unknown properties are Errc::not_found, values of the wrong type Errc::rejected. Every change is
// written to the audit log. What edges see is a PropertyView (a secret's value shown as "***"); the
// property name constants below are for every edge. Not thread-safe (it uses one database
// connection).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "core/error.h"
#include "core/secret.h"

namespace casecrypt::crypto {
class KeyVault;
}
namespace casecrypt::store {
class AuditLog;
class PropertyStore;
struct PropertyRecord;
}  // namespace casecrypt::store

namespace casecrypt::services {

inline constexpr const char* kCoreModule = "cmas-core-server";
inline constexpr const char* kMailEncryption = "mail.encryption";
inline constexpr const char* kMailEncryptionCipher = "mail.encryption.cipher";
inline constexpr const char* kMailEncryptionKeyTransport = "mail.encryption.key.transport";
inline constexpr const char* kMissingCertificatePolicy = "mail.encryption.missing.certificate";
inline constexpr const char* kLdapUrl = "ldap.certificate.providerurl";
inline constexpr const char* kLdapBaseDn = "ldap.certificate.basedn";
inline constexpr const char* kLdapSearchAttribute = "ldap.certificate.searchattr";
inline constexpr const char* kLdapContentAttribute = "ldap.certificate.content.attribute";
inline constexpr const char* kLdapUserDn = "ldap.certificate.userdn";
inline constexpr const char* kLdapPassword = "ldap.certificate.password";
inline constexpr const char* kLdapStartTls = "ldap.certificate.starttls";
inline constexpr const char* kLdapTimeout = "ldap.certificate.timeout";
inline constexpr const char* kLdapMissSeconds = "ldap.certificate.miss.cache.seconds";
inline constexpr const char* kTransportUrl = "mail.transport.url";
inline constexpr const char* kTransportUser = "mail.transport.user";
inline constexpr const char* kTransportPassword = "mail.transport.password";
inline constexpr const char* kTransportRequireStartTls = "mail.transport.starttls.required";
inline constexpr const char* kTransportTimeout = "mail.transport.timeout";
inline constexpr const char* kOutboxMaxAge = "mail.outbox.max.age.seconds";
inline constexpr const char* kOutboxRetry = "mail.outbox.retry.seconds";
inline constexpr const char* kTicketPattern = "mail.ticketname.pattern";
inline constexpr const char* kWebSessionIdleMinutes = "web.session.idle.minutes";
inline constexpr const char* kWorkflowMaxInstructions = "workflow.script.max.instructions";
inline constexpr const char* kWorkflowMaxMemoryMib = "workflow.script.max.memory.mib";
inline constexpr const char* kWorkflowMaxSeconds = "workflow.script.max.seconds";
// Incoming mail (the module name of the helpdesk's mailbox tasks).
inline constexpr const char* kMailboxModule = "cmas-nimh";
inline constexpr const char* kMailboxDeleteRead = "mailbox.default.task.delete.read.messages";
inline constexpr const char* kMailboxMaxSize = "mailbox.default.task.max.message.size";
inline constexpr const char* kMailboxTimeout = "mailbox.default.task.timeout";
inline constexpr const char* kMailboxCaFile = "mailbox.default.task.ca.file";
inline constexpr const char* kMailboxMaxAttempts = "mailbox.default.task.max.attempts";
inline constexpr const char* kMailboxMaxParts = "mailbox.default.task.max.parts";
inline constexpr const char* kMailboxMaxDepth = "mailbox.default.task.max.depth";

// One property as an edge shows it (the fields of `property list --json`).
struct PropertyView {
    std::string module;
    std::string name;
    std::string value;  // the effective value; a set secret is "***", an unset one ""
    std::string type;   // "boolean", "integer:LO..HI", "string", "secret", "regex", "enum:a|b"
    std::string default_value;
    std::string description;
    bool is_default = true;  // no value was set: the default holds
};

class Properties {
public:
    Properties(store::PropertyStore& store, store::AuditLog& audit, const crypto::KeyVault& vault,
               const Clock& clock)
        : m_store(store), m_audit(audit), m_vault(vault), m_clock(clock) {}

    // Registers every property the product knows, with its default (idempotent).
    Result<void> register_all();

    Result<std::vector<PropertyView>> list();
    // Errc::not_found for an unknown property (set too).
    Result<PropertyView> get(const std::string& module, const std::string& name);
    Result<void> set(const std::string& module, const std::string& name, const std::string& value,
                     const std::string& actor);

    Result<std::string> get_value(const std::string& module, const std::string& name);
    Result<bool> get_bool(const std::string& module, const std::string& name);
    Result<long long> get_int(const std::string& module, const std::string& name);
    // A "secret" property (a password): stored sealed, shown as "***", read only here.
    Result<Secret> get_secret(const std::string& module, const std::string& name);

    // The definitions registered by register_all(), for documentation and tests.
    static std::vector<PropertyView> definitions();

private:
    Result<store::PropertyRecord> record(const std::string& module, const std::string& name);

    store::PropertyStore& m_store;
    store::AuditLog& m_audit;
    const crypto::KeyVault& m_vault;
    const Clock& m_clock;
};

// What a secret property's sealed value is bound to (the KeyVault's associated data).
std::string property_sealing_context(const std::string& module, const std::string& name);

// The bounds of an "integer:LO..HI" type, both included; nullopt for any other type.
std::optional<std::pair<long long, long long>> integer_range(std::string_view type);

// Checks a value against a property type and returns its canonical form ("TRUE" -> "true");
// an integer outside its type's range is refused naming the range.
Result<std::string> canonical_property_value(const std::string& type, const std::string& value);

}  // namespace casecrypt::services
