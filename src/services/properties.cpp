#include "services/properties.h"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "core/base64.h"
#include "core/log.h"
#include "core/text.h"
#include "crypto/key_vault.h"
#include "services/ticket_tag.h"
#include "store/audit_log.h"
#include "store/property_store.h"

namespace casecrypt::services {
namespace {

std::string lower(std::string_view text) {
    return to_lower_ascii(text);
}

PropertyView to_view(const store::PropertyRecord& r) {
    return PropertyView{.module = r.module,
                        .name = r.name,
                        .value = r.display_value(),
                        .type = r.type,
                        .default_value = r.default_value,
                        .description = r.description,
                        .is_default = !r.value.has_value()};
}

const std::vector<store::PropertyRecord>& definition_records() {
    static const std::vector<store::PropertyRecord> all = {
        {.module = kCoreModule,
         .name = kMailEncryption,
         .type = "boolean",
         .default_value = "false",
         .description = "S/MIME encryption on for the whole system, and the default for every "
                        "outgoing mail (web client and workflows)",
         .value = {},
         .updated_at = {},
         .updated_by = {}},
        {.module = kCoreModule,
         .name = kMailEncryptionCipher,
         .type = "enum:aes-256-cbc|aes-128-cbc|aes-256-gcm",
         .default_value = "aes-256-cbc",
         .description = "content encryption of outgoing S/MIME mail; CBC by default because Apple "
                        "Mail and older Thunderbird cannot read AES-GCM (AuthEnvelopedData)",
         .value = {},
         .updated_at = {},
         .updated_by = {}},
        {.module = kCoreModule,
         .name = kMailEncryptionKeyTransport,
         .type = "enum:rsa-pkcs1|rsa-oaep",
         .default_value = "rsa-pkcs1",
         .description = "how the content key is encrypted to RSA recipients; PKCS #1 v1.5 by "
                        "default for reach, RSA-OAEP (SHA-256) on request; EC recipients always "
                        "use ECDH",
         .value = {},
         .updated_at = {},
         .updated_by = {}},
        {.module = kCoreModule,
         .name = kMissingCertificatePolicy,
         .type = "enum:unencrypted|reject",
         .default_value = "unencrypted",
         .description = "what happens when a recipient has no certificate: unencrypted (the mail "
                        "goes out unencrypted, recorded in the ticket) or reject (nothing is sent; "
                        "the mail stays in the outbox as rejected)",
         .value = {},
         .updated_at = {},
         .updated_by = {}},
        {.module = kCoreModule,
         .name = kLdapUrl,
         .type = "string",
         .default_value = "",
         .description = "ldap:// or ldaps:// URL of the directory that holds recipients' "
                        "certificates; empty: no LDAP lookup",
         .value = {},
         .updated_at = {},
         .updated_by = {}},
        {.module = kCoreModule,
         .name = kLdapBaseDn,
         .type = "string",
         .default_value = "",
         .description = "search base for certificate lookups",
         .value = {},
         .updated_at = {},
         .updated_by = {}},
        {.module = kCoreModule,
         .name = kLdapSearchAttribute,
         .type = "string",
         .default_value = "mail",
         .description = "attribute matched against the recipient's address",
         .value = {},
         .updated_at = {},
         .updated_by = {}},
        {.module = kCoreModule,
         .name = kLdapContentAttribute,
         .type = "string",
         .default_value = "userCertificate;binary",
         .description = "attribute(s) holding certificates, comma-separated, tried in order (e.g. "
                        "userSMIMECertificate,userCertificate;binary)",
         .value = {},
         .updated_at = {},
         .updated_by = {}},
        {.module = kCoreModule,
         .name = kLdapUserDn,
         .type = "string",
         .default_value = "",
         .description = "bind DN; empty: anonymous",
         .value = {},
         .updated_at = {},
         .updated_by = {}},
        {.module = kCoreModule,
         .name = kLdapPassword,
         .type = "secret",
         .default_value = "",
         .description = "bind password (stored encrypted)",
         .value = {},
         .updated_at = {},
         .updated_by = {}},
        {.module = kCoreModule,
         .name = kLdapStartTls,
         .type = "boolean",
         .default_value = "false",
         .description = "use StartTLS on ldap://",
         .value = {},
         .updated_at = {},
         .updated_by = {}},
        {.module = kCoreModule,
         .name = kLdapTimeout,
         .type = "integer:1..300",
         .default_value = "5",
         .description = "seconds a lookup may take before it counts as no certificate",
         .value = {},
         .updated_at = {},
         .updated_by = {}},
        {.module = kCoreModule,
         .name = kLdapMissSeconds,
         .type = "integer:0..31536000",
         .default_value = "300",
         .description = "seconds an address without a certificate in LDAP is not asked again",
         .value = {},
         .updated_at = {},
         .updated_by = {}},
        {.module = kCoreModule,
         .name = kTransportUrl,
         .type = "string",
         .default_value = "",
         .description = "smtp://host:port (STARTTLS when offered) or smtps://host:port; empty: "
                        "write each mail to <data-dir>/mail/outgoing/",
         .value = {},
         .updated_at = {},
         .updated_by = {}},
        {.module = kCoreModule,
         .name = kTransportUser,
         .type = "string",
         .default_value = "",
         .description = "SMTP AUTH user; empty: no AUTH",
         .value = {},
         .updated_at = {},
         .updated_by = {}},
        {.module = kCoreModule,
         .name = kTransportPassword,
         .type = "secret",
         .default_value = "",
         .description = "SMTP AUTH password (stored encrypted)",
         .value = {},
         .updated_at = {},
         .updated_by = {}},
        {.module = kCoreModule,
         .name = kTransportRequireStartTls,
         .type = "boolean",
         .default_value = "false",
         .description = "refuse to send over smtp:// without STARTTLS",
         .value = {},
         .updated_at = {},
         .updated_by = {}},
        {.module = kCoreModule,
         .name = kTransportTimeout,
         .type = "integer:1..3600",
         .default_value = "30",
         .description = "seconds a delivery attempt may take",
         .value = {},
         .updated_at = {},
         .updated_by = {}},
        {.module = kCoreModule,
         .name = kOutboxMaxAge,
         .type = "integer:60..31536000",
         .default_value = "172800",
         .description =
             "seconds a mail is retried (connection errors, 4xx replies) before it fails",
         .value = {},
         .updated_at = {},
         .updated_by = {}},
        {.module = kCoreModule,
         .name = kOutboxRetry,
         .type = "integer:1..86400",
         .default_value = "60",
         .description = "seconds before the first retry of a delivery that failed for now; each "
                        "further retry waits twice as long, at most an hour",
         .value = {},
         .updated_at = {},
         .updated_by = {}},
        {.module = kCoreModule,
         .name = kWebSessionIdleMinutes,
         .type = "integer:1..1440",
         .default_value = "30",
         .description = "minutes without a request after which a web session ends and its user "
                        "logs in again",
         .value = {},
         .updated_at = {},
         .updated_by = {}},
        {.module = kCoreModule,
         .name = kWorkflowMaxInstructions,
         .type = "integer:10000..2000000000",
         .default_value = "10000000",
         .description = "the Lua instructions one workflow run may execute before it is "
                        "stopped (a script that loops for ever)",
         .value = {},
         .updated_at = {},
         .updated_by = {}},
        {.module = kCoreModule,
         .name = kWorkflowMaxMemoryMib,
         .type = "integer:1..1024",
         .default_value = "32",
         .description = "the memory (MiB) one workflow run may allocate before it is stopped",
         .value = {},
         .updated_at = {},
         .updated_by = {}},
        {.module = kCoreModule,
         .name = kWorkflowMaxSeconds,
         .type = "integer:1..3600",
         .default_value = "30",
         .description = "the wall-clock seconds one workflow run may take before it is stopped "
                        "(a service call in progress, such as sending a mail, is finished first)",
         .value = {},
         .updated_at = {},
         .updated_by = {}},
        {.module = kCoreModule,
         .name = kTicketPattern,
         .type = "regex",
         .default_value = "Ticket \\((\\d+)\\)",
         .description = "the tag in a subject that appends a mail to a ticket: a regular "
                        "expression (RE2 syntax: no backreferences or lookaround; matched in "
                        "linear time) whose first group is the ticket number; a number too "
                        "large for a ticket is no match; our mail for a ticket carries the tag "
                        "written from it",
         .value = {},
         .updated_at = {},
         .updated_by = {}},
        {.module = kMailboxModule,
         .name = kMailboxDeleteRead,
         .type = "boolean",
         .default_value = "false",
         .description = "delete fetched mail on the server (after it is stored); false: leave it "
                        "there marked as read. Either way a mail is fetched once",
         .value = {},
         .updated_at = {},
         .updated_by = {}},
        {.module = kMailboxModule,
         .name = kMailboxMaxSize,
         .type = "integer:1..1099511627776",
         .default_value = "134217728",
         .description = "bytes; a larger mail is not processed but kept as an email backup (the "
                        "default, 128 MiB, lets a 50 MiB attachment through encrypted)",
         .value = {},
         .updated_at = {},
         .updated_by = {}},
        {.module = kMailboxModule,
         .name = kMailboxMaxAttempts,
         .type = "integer:1..100000",
         .default_value = "3",
         .description = "attempts at filing a fetched mail (each one that fails, or that the "
                        "process does not survive, counts) before it is kept as an email backup "
                        "with the cause; the mails behind it never wait for it",
         .value = {},
         .updated_at = {},
         .updated_by = {}},
        {.module = kMailboxModule,
         .name = kMailboxMaxParts,
         .type = "integer:1..100000",
         .default_value = "1000",
         .description = "MIME parts a mail may have; a mail with more is kept as an email backup",
         .value = {},
         .updated_at = {},
         .updated_by = {}},
        {.module = kMailboxModule,
         .name = kMailboxMaxDepth,
         .type = "integer:1..1000",
         .default_value = "32",
         .description = "how deeply a mail's MIME parts may nest; a mail nested deeper is kept "
                        "as an email backup",
         .value = {},
         .updated_at = {},
         .updated_by = {}},
        {.module = kMailboxModule,
         .name = kMailboxTimeout,
         .type = "integer:1..3600",
         .default_value = "60",
         .description = "seconds a mailbox server may stay silent (connecting, each reply, a "
                        "stalled transfer) before the fetch of that mailbox fails",
         .value = {},
         .updated_at = {},
         .updated_by = {}},
        {.module = kMailboxModule,
         .name = kMailboxCaFile,
         .type = "string",
         .default_value = "",
         .description = "PEM file of the CA certificates trusted for mailbox servers' TLS; empty: "
                        "the system's trust store",
         .value = {},
         .updated_at = {},
         .updated_by = {}},
    };
    return all;
}

}  // namespace

std::string property_sealing_context(const std::string& module, const std::string& name) {
    return "property:" + module + "/" + name;
}

// The whole of `text` as a decimal integer, or nullopt (empty, trailing text, too large).
std::optional<long long> parse_integer(std::string_view text) {
    long long n = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    if (text.empty() || ec != std::errc() || end != text.data() + text.size())
        return std::nullopt;
    return n;
}

std::optional<std::pair<long long, long long>> integer_range(std::string_view type) {
    if (!type.starts_with("integer:"))
        return std::nullopt;
    const std::string_view range = type.substr(8);
    const auto dots = range.find("..");
    if (dots == std::string_view::npos)
        return std::nullopt;
    const auto low = parse_integer(range.substr(0, dots));
    const auto high = parse_integer(range.substr(dots + 2));
    if (!low || !high)
        return std::nullopt;
    return std::pair{*low, *high};
}

Result<std::string> canonical_property_value(const std::string& type, const std::string& value) {
    if (type == "boolean") {
        const std::string v = lower(value);
        if (v == "true" || v == "false") {
            return v;
        }
        return fail(Errc::rejected, "\"" + value + "\" is not a boolean (use true or false)");
    }
    if (type == "integer" || type.starts_with("integer:")) {
        const auto parsed = parse_integer(value);
        if (!parsed)
            return fail(Errc::rejected, "\"" + value + "\" is not an integer");
        const long long n = *parsed;
        if (const auto range = integer_range(type);
            range && (n < range->first || n > range->second)) {
            return fail(Errc::rejected, value + " is out of range (" +
                                            std::to_string(range->first) + " to " +
                                            std::to_string(range->second) + ")");
        }
        return std::to_string(n);
    }
    if (type == "regex") {
        // Compiled as the matcher compiles it: what is accepted here is what will run.
        auto tag = TicketTag::compile(value);
        if (!tag)
            return std::unexpected(tag.error());
        return value;
    }
    if (type.starts_with("enum:")) {
        std::string choices = type.substr(5);
        std::string rest = choices;
        while (!rest.empty()) {
            const auto bar = rest.find('|');
            if (rest.substr(0, bar) == value) {
                return value;
            }
            rest = bar == std::string::npos ? "" : rest.substr(bar + 1);
        }
        std::replace(choices.begin(), choices.end(), '|', ',');
        return fail(Errc::rejected, "\"" + value + "\" is not one of " + choices);
    }
    return value;
}

std::vector<PropertyView> Properties::definitions() {
    std::vector<PropertyView> out;
    for (const auto& r : definition_records()) {
        out.push_back(to_view(r));
    }
    return out;
}

Result<void> Properties::register_all() {
    for (const auto& definition : definition_records()) {
        if (auto defined = m_store.define(definition); !defined) {
            return defined;
        }
    }
    return {};
}

Result<std::vector<PropertyView>> Properties::list() {
    auto records = m_store.list();
    if (!records) {
        return std::unexpected(records.error());
    }
    std::vector<PropertyView> out;
    for (const auto& r : *records) {
        out.push_back(to_view(r));
    }
    return out;
}

Result<PropertyView> Properties::get(const std::string& module, const std::string& name) {
    auto found = record(module, name);
    if (!found) {
        return std::unexpected(found.error());
    }
    return to_view(*found);
}

Result<store::PropertyRecord> Properties::record(const std::string& module,
                                                 const std::string& name) {
    auto found = m_store.get(module, name);
    if (!found) {
        return std::unexpected(found.error());
    }
    if (!*found) {
        return fail(Errc::not_found, "unknown property " + module + " / " + name);
    }
    return std::move(**found);
}

Result<void> Properties::set(const std::string& module, const std::string& name,
                             const std::string& value, const std::string& actor) {
    auto property = record(module, name);
    if (!property) {
        return std::unexpected(property.error());
    }
    if (property->type == "secret") {
        // Sealed under the master key, bound to the property's name; never in the audit log.
        std::string stored_value;
        if (!value.empty()) {
            auto sealed = m_vault.seal(Secret(value), property_sealing_context(module, name));
            if (!sealed) {
                return std::unexpected(sealed.error());
            }
            stored_value = base64_encode(*sealed);
        }
        if (auto stored = m_store.set(module, name, stored_value, m_clock.now(), actor); !stored) {
            return stored;
        }
        return m_audit.record(m_clock.now(), actor, "property.set",
                              module + " / " + name + " = ***");
    }
    // Stored as text and listed as JSON: a sealed secret may hold any bytes, a value may not.
    if (!is_valid_utf8(value)) {
        return fail(Errc::rejected,
                    "cannot set " + module + " / " + name + ": the value is not valid UTF-8");
    }
    auto canonical = canonical_property_value(property->type, value);
    if (!canonical) {
        return std::unexpected(
            canonical.error().with_context("cannot set " + module + " / " + name));
    }
    if (auto stored = m_store.set(module, name, *canonical, m_clock.now(), actor); !stored) {
        return stored;
    }
    return m_audit.record(m_clock.now(), actor, "property.set",
                          module + " / " + name + " = " + *canonical);
}

Result<std::string> Properties::get_value(const std::string& module, const std::string& name) {
    auto property = record(module, name);
    if (!property) {
        return std::unexpected(property.error());
    }
    return property->effective_value();
}

Result<long long> Properties::get_int(const std::string& module, const std::string& name) {
    auto property = record(module, name);
    if (!property) {
        return std::unexpected(property.error());
    }
    const std::string value = property->effective_value();
    const auto parsed = parse_integer(value);
    if (!parsed) {
        return fail(Errc::internal,
                    module + " / " + name + " holds \"" + value + "\", not a number");
    }
    const long long n = *parsed;
    // A value stored before its property had a range (or written into the database by hand)
    // is not used: the default is, with a warning that says so.
    if (const auto range = integer_range(property->type);
        range && (n < range->first || n > range->second)) {
        spdlog::warn("{} / {} holds {}, outside its range {}..{}; the default {} is used", module,
                     name, n, range->first, range->second, property->default_value);
        return std::stoll(property->default_value);
    }
    return n;
}

Result<Secret> Properties::get_secret(const std::string& module, const std::string& name) {
    auto property = record(module, name);
    if (!property) {
        return std::unexpected(property.error());
    }
    if (property->type != "secret" || property->effective_value().empty()) {
        return Secret();
    }
    auto sealed = base64_decode(property->effective_value());
    if (!sealed) {
        return fail(Errc::internal, module + " / " + name + " is damaged in the database");
    }
    return m_vault.unseal(*sealed, property_sealing_context(module, name));
}

Result<bool> Properties::get_bool(const std::string& module, const std::string& name) {
    auto property = record(module, name);
    if (!property) {
        return std::unexpected(property.error());
    }
    return property->effective_value() == "true";
}

}  // namespace casecrypt::services
