// Properties: the system properties administrators know by name (DESIGN.md, "Settings"),
// their registration with defaults, and typed reads and checked writes.
//
// Unknown properties and values of the wrong type are Errc::rejected. Every change is written
// to the audit log. Not thread-safe (it uses one database connection).
#pragma once

#include <string>
#include <vector>

#include "core/clock.h"
#include "core/error.h"
#include "store/audit_log.h"
#include "store/property_store.h"

namespace casecrypt::services {

inline constexpr const char* kCoreModule = "cmas-core-server";
inline constexpr const char* kMailEncryption = "mail.encryption";
inline constexpr const char* kMailEncryptionCipher = "mail.encryption.cipher";
inline constexpr const char* kMailEncryptionKeyTransport = "mail.encryption.key.transport";

class Properties {
public:
    Properties(store::PropertyStore& store, store::AuditLog& audit, const Clock& clock)
        : m_store(store), m_audit(audit), m_clock(clock) {}

    // Registers every property the product knows, with its default (idempotent).
    Result<void> register_all();

    Result<std::vector<store::PropertyRecord>> list();
    Result<store::PropertyRecord> get(const std::string& module, const std::string& name);
    Result<void> set(const std::string& module, const std::string& name, const std::string& value,
                     const std::string& actor);

    Result<std::string> get_value(const std::string& module, const std::string& name);
    Result<bool> get_bool(const std::string& module, const std::string& name);

    // The definitions registered by register_all(), for documentation and tests.
    static const std::vector<store::PropertyRecord>& definitions();

private:
    store::PropertyStore& m_store;
    store::AuditLog& m_audit;
    const Clock& m_clock;
};

// Checks a value against a property type and returns its canonical form ("TRUE" -> "true").
Result<std::string> canonical_property_value(const std::string& type, const std::string& value);

}  // namespace casecrypt::services
