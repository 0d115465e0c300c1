#include "ldap/ldap_directory.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "ldap/ldap_connection.h"
#include "ldap/ldap_filter.h"

namespace casecrypt::ldap {
namespace {

// One returned attribute of one entry, keyed for matching against the settings' names.
struct ReturnedAttribute {
    std::string key;  // attribute_match_key of the name the server used
    std::vector<std::string> values;
};
using Entry = std::vector<ReturnedAttribute>;

std::vector<std::string> values_of(LDAP* ld, LDAPMessage* entry, const char* name) {
    std::vector<std::string> values;
    // _len: certificates are binary and may contain NUL bytes.
    BerValuesPtr raw(ldap_get_values_len(ld, entry, name));
    if (!raw)
        return values;
    for (berval** v = raw.get(); *v != nullptr; ++v) {
        values.emplace_back((*v)->bv_val, (*v)->bv_len);
    }
    return values;
}

std::vector<Entry> read_entries(LDAP* ld, LDAPMessage* result) {
    std::vector<Entry> entries;
    // Only entries: search references are ignored, as referrals are not followed.
    for (LDAPMessage* e = ldap_first_entry(ld, result); e != nullptr; e = ldap_next_entry(ld, e)) {
        Entry& entry = entries.emplace_back();
        BerElement* raw_ber = nullptr;
        LdapStringPtr name(ldap_first_attribute(ld, e, &raw_ber));
        BerElementPtr ber(raw_ber);
        for (; name; name.reset(ldap_next_attribute(ld, e, ber.get()))) {
            entry.push_back({attribute_match_key(name.get()), values_of(ld, e, name.get())});
        }
    }
    return entries;
}

Result<void> check_settings(const LdapSettings& settings) {
    if (settings.certificate_attributes.empty()) {
        return fail(Errc::usage, "no LDAP certificate attribute configured");
    }
    for (const auto& name : settings.certificate_attributes) {
        if (!is_attribute_description(name)) {
            return fail(Errc::usage,
                        "LDAP certificate attribute \"" + name + "\" is not an attribute name");
        }
    }
    return {};
}

}  // namespace

Result<std::vector<CertificateValue>> find_certificates(const LdapSettings& settings,
                                                        const std::string& address) {
    if (auto r = check_settings(settings); !r)
        return std::unexpected(r.error());
    auto filter = equality_filter(settings.search_attribute, address);
    if (!filter)
        return std::unexpected(filter.error());

    auto connection = LdapConnection::open(settings);
    if (!connection)
        return std::unexpected(connection.error());
    auto result = connection->search(settings.base_dn, *filter, settings.certificate_attributes);
    if (!result)
        return std::unexpected(result.error());
    const std::vector<Entry> entries = read_entries(connection->handle(), result->get());

    // Attribute order first (the settings say which kind of certificate is preferred), then
    // entry order. A name listed twice (e.g. with and without ";binary") counts once.
    std::vector<CertificateValue> found;
    std::vector<std::string> done;
    for (const auto& wanted : settings.certificate_attributes) {
        const std::string key = attribute_match_key(wanted);
        if (std::find(done.begin(), done.end(), key) != done.end())
            continue;
        done.push_back(key);
        for (const Entry& entry : entries) {
            for (const ReturnedAttribute& attribute : entry) {
                if (attribute.key != key)
                    continue;
                for (const auto& value : attribute.values)
                    found.push_back({wanted, value});
            }
        }
    }
    spdlog::debug("LDAP {}: {} entries, {} certificate values for {}", settings.url, entries.size(),
                  found.size(), address);
    return found;
}

}  // namespace casecrypt::ldap
