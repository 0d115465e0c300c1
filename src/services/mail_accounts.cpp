#include "services/mail_accounts.h"

#include <algorithm>

#include "core/base64.h"
#include "core/iso_time.h"
#include "crypto/key_vault.h"
#include "store/account_store.h"
#include "store/audit_log.h"
#include "transport/mailbox.h"

namespace casecrypt::services {
namespace {

bool valid_name(const std::string& name) {
    return !name.empty() && name.size() <= 64 &&
           std::all_of(name.begin(), name.end(), [](unsigned char c) {
               return std::isalnum(c) || c == '-' || c == '_' || c == '.';
           });
}

// The host of a URL ("imap://host:port/..."), for the loopback test.
std::string host_of(const std::string& url) {
    auto start = url.find("://");
    if (start == std::string::npos)
        return "";
    start += 3;
    const auto end = url.find_first_of(":/", start);
    return url.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

AccountView view_of(const store::AccountRecord& r) {
    AccountView v{
        r.name,       r.url,        r.user,      from_iso8601(r.created_at).value_or(TimePoint{}),
        r.created_by, std::nullopt, r.last_error};
    if (r.last_fetch_at)
        v.last_fetch = from_iso8601(*r.last_fetch_at);
    return v;
}

}  // namespace

std::string account_sealing_context(const std::string& name) {
    return "mail-account:" + name;
}

Result<AccountView> MailAccounts::add(const std::string& name, const std::string& url,
                                      const std::string& user, const Secret& password,
                                      const std::string& actor) {
    if (!valid_name(name)) {
        return fail(Errc::usage, "\"" + name +
                                     "\" is not an account name (letters, digits, '-', "
                                     "'_', '.'; at most 64)");
    }
    if (auto checked = transport::check_mailbox_url(url); !checked) {
        return std::unexpected(checked.error());
    }
    store::AccountRecord record;
    record.name = name;
    record.url = url;
    record.user = user;
    record.created_at = to_iso8601(m_clock.now());
    record.created_by = actor;
    if (!password.reveal().empty()) {
        auto sealed = m_vault.seal(password, account_sealing_context(name));
        if (!sealed)
            return std::unexpected(sealed.error());
        record.sealed_password = base64_encode(*sealed);
    }
    auto id = m_store.add(record);
    if (!id)
        return std::unexpected(id.error());
    record.id = *id;
    record.sealed_password.reset();
    if (auto audited = m_audit.record(m_clock.now(), actor, "account.add",
                                      name + " " + url + (user.empty() ? "" : " user " + user));
        !audited) {
        return std::unexpected(audited.error());
    }
    return view_of(record);
}

Result<std::vector<AccountView>> MailAccounts::list() {
    auto records = m_store.list();
    if (!records)
        return std::unexpected(records.error());
    std::vector<AccountView> out;
    out.reserve(records->size());
    for (const auto& r : *records)
        out.push_back(view_of(r));
    return out;
}

Result<void> MailAccounts::remove(const std::string& name, const std::string& actor) {
    auto removed = m_store.remove(name);
    if (!removed)
        return std::unexpected(removed.error());
    if (!*removed) {
        return fail(Errc::not_found, "no mail account named " + name);
    }
    return m_audit.record(m_clock.now(), actor, "account.remove", name);
}

Result<transport::MailboxSettings> MailAccounts::settings(const std::string& name) {
    auto record = m_store.get(name);
    if (!record)
        return std::unexpected(record.error());
    if (!*record) {
        return fail(Errc::not_found, "no mail account named " + name);
    }
    transport::MailboxSettings settings;
    settings.url = (*record)->url;
    settings.user = (*record)->user;
    if ((*record)->sealed_password) {
        auto sealed = base64_decode(*(*record)->sealed_password);
        if (!sealed) {
            return fail(Errc::internal,
                        "the password of account " + name + " is damaged in the database");
        }
        auto password = m_vault.unseal(*sealed, account_sealing_context(name));
        if (!password)
            return std::unexpected(password.error());
        settings.password = std::move(*password);
    }
    // A password goes over the network only encrypted, unless the server is this machine.
    const std::string host = host_of(settings.url);
    const bool loopback = host == "localhost" || host.starts_with("127.") || host == "[::1]";
    settings.require_tls = !settings.user.empty() && !loopback;
    auto timeout = m_properties.get_int(kMailboxModule, kMailboxTimeout);
    if (!timeout)
        return std::unexpected(timeout.error());
    settings.timeout = std::chrono::seconds(std::max(1LL, *timeout));
    auto ca_file = m_properties.get_value(kMailboxModule, kMailboxCaFile);
    if (!ca_file)
        return std::unexpected(ca_file.error());
    settings.ca_file = *ca_file;
    return settings;
}

Result<int> MailAccounts::test(const std::string& name) {
    auto mailbox_settings = settings(name);
    if (!mailbox_settings)
        return std::unexpected(mailbox_settings.error());
    auto mailbox = transport::open_mailbox(*mailbox_settings);
    if (!mailbox)
        return std::unexpected(mailbox.error());
    auto listed = (*mailbox)->list();
    if (!listed)
        return std::unexpected(listed.error());
    return static_cast<int>(listed->size());
}

Result<void> MailAccounts::record_fetch(const std::string& name, const std::string& error) {
    return m_store.record_fetch(name, m_clock.now(), error);
}

Result<void> MailAccounts::ensure_local(const std::filesystem::path& data_dir) {
    auto done = m_store.fact("local_account_created");
    if (!done)
        return std::unexpected(done.error());
    if (*done)
        return {};
    const auto dir = std::filesystem::absolute(data_dir) / "mail" / "incoming";
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) {
        return fail(Errc::io, "cannot create " + dir.string() + ": " + ec.message());
    }
    auto first = m_store.set_fact_once("local_account_created", to_iso8601(m_clock.now()));
    if (!first)
        return std::unexpected(first.error());
    if (!*first)
        return {};  // another process made it just now
    auto added =
        add(kLocalAccount, "dir://" + dir.lexically_normal().string(), "", Secret(), "system");
    if (!added && added.error().code() != Errc::rejected) {
        return std::unexpected(added.error());
    }
    return {};
}

}  // namespace casecrypt::services
