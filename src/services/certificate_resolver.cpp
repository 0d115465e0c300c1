#include "services/certificate_resolver.h"

#include <algorithm>

#include "core/log.h"
#include "core/text.h"
#include "crypto/certificate_policy.h"

namespace casecrypt::services {
std::string to_string(ResolvedFrom from) {
    switch (from) {
        case ResolvedFrom::server: return "server";
        case ResolvedFrom::store: return "store";
        case ResolvedFrom::ldap: return "ldap";
    }
    return "store";
}

Result<std::optional<Resolution>> CertificateResolver::best(store::CertificateKind kind,
                                                            const std::string& address,
                                                            ResolvedFrom from) {
    auto records = m_store.find_by_address(kind, address);
    if (!records) {
        return std::unexpected(records.error());
    }
    const TimePoint now = m_clock.now();
    std::optional<Resolution> chosen;
    for (const auto& record : *records) {
        auto certificate = crypto::Certificate::from_der(record.der);
        if (!certificate || !crypto::encryption_problems_at(*certificate, now).empty() ||
            std::find(certificate->addresses().begin(), certificate->addresses().end(), address) ==
                certificate->addresses().end()) {
            continue;
        }
        // Our own: the newest; a recipient's: the one that expires last.
        const bool better =
            !chosen || (kind == store::CertificateKind::server
                            ? record.not_before > chosen->record.not_before
                            : record.not_after > chosen->record.not_after);
        if (better) {
            chosen = Resolution{address, from, record, std::move(*certificate)};
        }
    }
    return chosen;
}

Result<std::optional<ldap::LdapSettings>> CertificateResolver::ldap_settings() {
    auto url = m_properties.get_value(kCoreModule, kLdapUrl);
    if (!url) return std::unexpected(url.error());
    if (url->empty()) return std::optional<ldap::LdapSettings>();
    ldap::LdapSettings settings;
    settings.url = *url;
    auto base = m_properties.get_value(kCoreModule, kLdapBaseDn);
    auto attribute = m_properties.get_value(kCoreModule, kLdapSearchAttribute);
    auto content = m_properties.get_value(kCoreModule, kLdapContentAttribute);
    auto user = m_properties.get_value(kCoreModule, kLdapUserDn);
    auto password = m_properties.get_secret(kCoreModule, kLdapPassword);
    auto starttls = m_properties.get_bool(kCoreModule, kLdapStartTls);
    auto timeout = m_properties.get_int(kCoreModule, kLdapTimeout);
    for (const auto* r : {&base, &attribute, &content, &user}) {
        if (!*r) return std::unexpected(r->error());
    }
    if (!password) return std::unexpected(password.error());
    if (!starttls) return std::unexpected(starttls.error());
    if (!timeout) return std::unexpected(timeout.error());
    settings.base_dn = *base;
    settings.search_attribute = *attribute;
    settings.certificate_attributes = split_list(*content);
    settings.bind_dn = *user;
    settings.password = std::move(*password);
    settings.starttls = *starttls;
    settings.timeout = std::chrono::seconds(std::max<long long>(1, *timeout));
    return std::optional<ldap::LdapSettings>(std::move(settings));
}

Result<std::optional<Resolution>> CertificateResolver::from_ldap(const std::string& address) {
    auto settings = ldap_settings();
    if (!settings) return std::unexpected(settings.error());
    if (!*settings) return std::optional<Resolution>();
    const TimePoint now = m_clock.now();
    auto remembered = m_misses.is_remembered(address, now);
    if (!remembered) return std::unexpected(remembered.error());
    if (*remembered) {
        spdlog::debug("ldap: {} had no certificate a moment ago; not asking again yet", address);
        return std::optional<Resolution>();
    }
    auto values = m_lookup(**settings, address);
    if (!values) {
        spdlog::warn("ldap: lookup for {} failed, counting it as no certificate: {}", address,
                     values.error().message());
    } else {
        for (const auto& value : *values) {
            auto report = m_admin.import_client_bytes(value.bytes, "ldap " + value.attribute,
                                                      store::CertificateSource::ldap, "ldap");
            if (!report) {
                spdlog::info("ldap: ignored a certificate for {}: {}", address,
                             report.error().message());
                continue;
            }
            for (const auto& item : report->items) {
                if (item.outcome == ImportOutcome::skipped) {
                    spdlog::info("ldap: ignored a certificate for {}: {}", address, item.note);
                }
            }
        }
        auto found = best(store::CertificateKind::client, address, ResolvedFrom::ldap);
        if (!found) return std::unexpected(found.error());
        if (*found && (*found)->record.source == store::CertificateSource::ldap) {
            return found;
        }
    }
    auto seconds = m_properties.get_int(kCoreModule, kLdapMissSeconds);
    if (!seconds) return std::unexpected(seconds.error());
    if (*seconds > 0) {
        if (auto r = m_misses.remember(address, now + std::chrono::seconds(*seconds)); !r) {
            return std::unexpected(r.error());
        }
    }
    return std::optional<Resolution>();
}

Result<std::optional<Resolution>> CertificateResolver::resolve(const std::string& raw_address) {
    const std::string address = crypto::normalize_address(raw_address);
    auto own = best(store::CertificateKind::server, address, ResolvedFrom::server);
    if (!own || *own) return own;
    auto stored = best(store::CertificateKind::client, address, ResolvedFrom::store);
    if (!stored || *stored) return stored;
    return from_ldap(address);
}

}  // namespace casecrypt::services
