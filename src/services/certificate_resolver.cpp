#include "services/certificate_resolver.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <thread>

#include "core/log.h"
#include "core/text.h"
#include "crypto/certificate_policy.h"

namespace casecrypt::services {
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
        const bool better = !chosen || (kind == store::CertificateKind::server
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
    if (!url)
        return std::unexpected(url.error());
    if (url->empty())
        return std::optional<ldap::LdapSettings>();
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
        if (!*r)
            return std::unexpected(r->error());
    }
    if (!password)
        return std::unexpected(password.error());
    if (!starttls)
        return std::unexpected(starttls.error());
    if (!timeout)
        return std::unexpected(timeout.error());
    settings.base_dn = *base;
    settings.search_attribute = *attribute;
    settings.certificate_attributes = split_list(*content);
    settings.bind_dn = *user;
    settings.password = std::move(*password);
    settings.starttls = *starttls;
    settings.timeout = std::chrono::seconds(std::max<long long>(1, *timeout));
    return std::optional<ldap::LdapSettings>(std::move(settings));
}

std::vector<CertificateResolver::LookupResult> CertificateResolver::look_up(
    const ldap::LdapSettings& settings, const std::vector<std::string>& addresses) const {
    using Clock = std::chrono::steady_clock;
    const auto deadline = Clock::now() + settings.timeout;
    std::vector<LookupResult> results(addresses.size());
    std::atomic<std::size_t> next{0};
    auto work = [&] {
        for (std::size_t i = next++; i < addresses.size(); i = next++) {
            const auto left = std::chrono::ceil<std::chrono::seconds>(deadline - Clock::now());
            if (left <= std::chrono::seconds(0)) {
                results[i] =
                    fail(Errc::io, "not asked: the " + std::to_string(settings.timeout.count()) +
                                       " s the mail may spend on LDAP lookups were spent");
                continue;
            }
            ldap::LdapSettings mine = settings;
            mine.timeout = std::min(left, settings.timeout);
            try {
                results[i] = m_lookup(mine, addresses[i]);
            } catch (const std::exception& e) {  // must not leave a worker thread
                results[i] = fail(Errc::internal, std::string("LDAP lookup failed: ") + e.what());
            }
        }
    };
    {
        std::vector<std::jthread> workers;
        const std::size_t count = std::min(kMaxParallelLookups, addresses.size());
        for (std::size_t w = 1; w < count; ++w)
            workers.emplace_back(work);
        work();  // this thread is one of them
    }
    return results;
}

Result<std::optional<Resolution>> CertificateResolver::accept_ldap_answer(
    const std::string& address, const LookupResult& values) {
    const TimePoint now = m_clock.now();
    if (!values) {
        spdlog::warn("ldap: lookup for {} failed, counting it as no certificate: {}", address,
                     values.error().message());
    } else {
        for (const auto& value : *values) {
            auto report = m_admin.import_client_bytes(value.bytes, "ldap " + value.attribute,
                                                      "ldap", CertificateSource::ldap);
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
        if (!found)
            return std::unexpected(found.error());
        if (*found && (*found)->record.source == store::CertificateSource::ldap) {
            return found;
        }
    }
    auto seconds = m_properties.get_int(kCoreModule, kLdapMissSeconds);
    if (!seconds)
        return std::unexpected(seconds.error());
    if (*seconds > 0) {
        if (auto r = m_misses.remember(address, now + std::chrono::seconds(*seconds)); !r) {
            return std::unexpected(r.error());
        }
    }
    return std::optional<Resolution>();
}

Result<std::optional<Resolution>> CertificateResolver::from_store(const std::string& address) {
    auto own = best(store::CertificateKind::server, address, ResolvedFrom::server);
    if (!own || *own)
        return own;
    return best(store::CertificateKind::client, address, ResolvedFrom::store);
}

Result<std::optional<Resolution>> CertificateResolver::resolve(const std::string& address) {
    auto all = resolve_all({address});
    if (!all)
        return std::unexpected(all.error());
    return std::move(all->front());
}

Result<std::vector<std::optional<Resolution>>> CertificateResolver::resolve_all(
    const std::vector<std::string>& raw_addresses) {
    std::vector<std::optional<Resolution>> out(raw_addresses.size());
    std::vector<std::string> addresses;
    std::vector<std::size_t> pending;  // indexes that need LDAP
    for (std::size_t i = 0; i < raw_addresses.size(); ++i) {
        addresses.push_back(crypto::normalize_address(raw_addresses[i]));
        auto stored = from_store(addresses[i]);
        if (!stored)
            return std::unexpected(stored.error());
        out[i] = std::move(*stored);
        if (!out[i])
            pending.push_back(i);
    }
    if (pending.empty())
        return out;
    auto settings = ldap_settings();
    if (!settings)
        return std::unexpected(settings.error());
    if (!*settings)
        return out;

    // Each address asked once, and not when it had no certificate a moment ago.
    std::vector<std::string> ask;
    const TimePoint now = m_clock.now();
    for (const std::size_t i : pending) {
        if (std::find(ask.begin(), ask.end(), addresses[i]) != ask.end())
            continue;
        auto remembered = m_misses.is_remembered(addresses[i], now);
        if (!remembered)
            return std::unexpected(remembered.error());
        if (*remembered) {
            spdlog::debug("ldap: {} had no certificate a moment ago; not asking again yet",
                          addresses[i]);
            continue;
        }
        ask.push_back(addresses[i]);
    }
    const std::vector<LookupResult> answers = look_up(**settings, ask);
    for (std::size_t k = 0; k < ask.size(); ++k) {
        auto found = accept_ldap_answer(ask[k], answers[k]);
        if (!found)
            return std::unexpected(found.error());
        if (!*found)
            continue;
        for (const std::size_t i : pending) {
            if (addresses[i] == ask[k])
                out[i] = **found;
        }
    }
    return out;
}

}  // namespace casecrypt::services
