#include "services/properties.h"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace casecrypt::services {
namespace {

std::string lower(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return text;
}

}  // namespace

const std::vector<store::PropertyRecord>& Properties::definitions() {
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
    };
    return all;
}

Result<std::string> canonical_property_value(const std::string& type, const std::string& value) {
    if (type == "boolean") {
        const std::string v = lower(value);
        if (v == "true" || v == "false") {
            return v;
        }
        return fail(Errc::rejected, "\"" + value + "\" is not a boolean (use true or false)");
    }
    if (type == "integer") {
        long long n = 0;
        const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
        if (ec != std::errc() || end != value.data() + value.size() || value.empty()) {
            return fail(Errc::rejected, "\"" + value + "\" is not an integer");
        }
        return std::to_string(n);
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

Result<void> Properties::register_all() {
    for (const auto& definition : definitions()) {
        if (auto defined = m_store.define(definition); !defined) {
            return defined;
        }
    }
    return {};
}

Result<std::vector<store::PropertyRecord>> Properties::list() { return m_store.list(); }

Result<store::PropertyRecord> Properties::get(const std::string& module, const std::string& name) {
    auto found = m_store.get(module, name);
    if (!found) {
        return std::unexpected(found.error());
    }
    if (!*found) {
        return fail(Errc::rejected, "unknown property " + module + " / " + name +
                                        " (`property list` shows the known ones)");
    }
    return std::move(**found);
}

Result<void> Properties::set(const std::string& module, const std::string& name,
                             const std::string& value, const std::string& actor) {
    auto property = get(module, name);
    if (!property) {
        return std::unexpected(property.error());
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
    auto property = get(module, name);
    if (!property) {
        return std::unexpected(property.error());
    }
    return property->effective_value();
}

Result<bool> Properties::get_bool(const std::string& module, const std::string& name) {
    auto property = get(module, name);
    if (!property) {
        return std::unexpected(property.error());
    }
    return property->effective_value() == "true";
}

}  // namespace casecrypt::services
