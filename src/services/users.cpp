#include "services/users.h"

#include <algorithm>

#include "core/iso_time.h"
#include "crypto/password_hash.h"
#include "store/audit_log.h"
#include "store/guarded.h"
#include "store/user_store.h"

namespace casecrypt::services {
namespace {

constexpr std::size_t kMinPasswordLength = 12;
constexpr std::size_t kMaxPasswordLength = 1024;  // Argon2 takes any length; a request need not
constexpr std::size_t kFirstAdminPasswordLength = 20;

bool valid_login(const std::string& login) {
    return !login.empty() && login.size() <= 64 &&
           std::all_of(login.begin(), login.end(), [](unsigned char c) {
               return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '.' || c == '_' || c == '@' || c == '-';
           });
}

Result<void> check_login(const std::string& login) {
    if (!valid_login(login))
        return fail(Errc::usage, "a login is 1 to 64 letters, digits, '.', '_', '@' or '-'");
    return {};
}

Result<void> check_password(const Secret& password) {
    if (password.size() < kMinPasswordLength)
        return fail(Errc::usage, "a password needs at least " + std::to_string(kMinPasswordLength) +
                                     " characters");
    if (password.size() > kMaxPasswordLength)
        return fail(Errc::usage, "a password may have at most " +
                                     std::to_string(kMaxPasswordLength) + " characters");
    return {};
}

UserView to_view(const store::UserRecord& r) {
    UserView view;
    view.login = r.login;
    view.role = r.role == "admin" ? Role::admin : Role::engineer;
    view.must_change_password = r.must_change_password;
    view.created = from_iso8601(r.created_at).value_or(TimePoint{});
    view.created_by = r.created_by;
    if (r.last_login_at)
        view.last_login = from_iso8601(*r.last_login_at);
    return view;
}

// Checked against when the login is unknown, so an unknown login costs what a known one does
// and the answer's timing does not tell which logins exist.
const std::string& dummy_hash() {
    static const std::string hash =
        crypto::hash_password(Secret("casecrypt dummy password")).value_or("");
    return hash;
}

}  // namespace

Result<Secret> one_time_password(std::size_t length) {
    return crypto::random_password(length);
}

std::string to_string(Role role) {
    return role == Role::admin ? "admin" : "engineer";
}

Result<Role> parse_role(const std::string& text) {
    if (text == "admin")
        return Role::admin;
    if (text == "engineer")
        return Role::engineer;
    return fail(Errc::usage, "unknown role '" + text + "' (admin or engineer)");
}

Users::Users(store::Database& database, store::AuditLog& audit, const Clock& clock)
    : m_database(database), m_audit(audit), m_clock(clock) {}

Result<UserView> Users::add(const std::string& login, Role role, const Secret& password,
                            const std::string& actor, bool must_change) {
    if (auto ok = check_login(login); !ok)
        return std::unexpected(ok.error());
    if (auto ok = check_password(password); !ok)
        return std::unexpected(ok.error());
    auto hash = crypto::hash_password(password);
    if (!hash)
        return std::unexpected(hash.error());
    store::UserRecord record{.login = login,
                             .role = to_string(role),
                             .password_hash = *hash,
                             .must_change_password = must_change,
                             .created_at = to_iso8601(m_clock.now()),
                             .created_by = actor,
                             .last_login_at = std::nullopt};
    auto done = store::in_transaction(m_database, "adding a user", [&]() -> Result<void> {
        store::UserStore users(m_database);
        if (auto inserted = users.insert(record); !inserted)
            return inserted;
        return m_audit.record(m_clock.now(), actor, "user.add",
                              login + " (" + to_string(role) + ")");
    });
    if (!done)
        return std::unexpected(done.error());
    return to_view(record);
}

Result<void> Users::set_password(const std::string& login, const Secret& password,
                                 const std::string& actor) {
    if (auto ok = check_password(password); !ok)
        return ok;
    auto hash = crypto::hash_password(password);
    if (!hash)
        return std::unexpected(hash.error());
    // Your own new password is yours; one an admin sets for you must be changed at next login.
    const bool must_change = actor != login;
    return store::in_transaction(m_database, "changing a password", [&]() -> Result<void> {
        store::UserStore users(m_database);
        if (auto set = users.set_password(login, *hash, must_change); !set)
            return set;
        return m_audit.record(m_clock.now(), actor, "user.password", login);
    });
}

Result<UserView> Users::set_role(const std::string& login, Role role, const std::string& actor) {
    auto done = store::in_transaction(m_database, "changing a role", [&]() -> Result<void> {
        store::UserStore users(m_database);
        auto record = users.get(login);
        if (!record)
            return std::unexpected(record.error());
        if (!*record)
            return fail(Errc::not_found, "no user " + login);
        const std::string before = (*record)->role;
        if (before == to_string(role))
            return {};
        if (before == "admin") {
            auto admins = users.count_role("admin");
            if (!admins)
                return std::unexpected(admins.error());
            if (*admins <= 1)
                return fail(Errc::conflict,
                            login + " is the last admin; make another user an admin first");
        }
        if (auto set = users.set_role(login, to_string(role)); !set)
            return set;
        return m_audit.record(m_clock.now(), actor, "user.role",
                              login + ": " + before + " -> " + to_string(role));
    });
    if (!done)
        return std::unexpected(done.error());
    return get(login);
}

Result<std::vector<UserView>> Users::list() {
    auto records = store::UserStore(m_database).list();
    if (!records)
        return std::unexpected(records.error());
    std::vector<UserView> views;
    for (const auto& r : *records)
        views.push_back(to_view(r));
    return views;
}

Result<UserView> Users::get(const std::string& login) {
    auto record = store::UserStore(m_database).get(login);
    if (!record)
        return std::unexpected(record.error());
    if (!*record)
        return fail(Errc::not_found, "no user " + login);
    return to_view(**record);
}

Result<void> Users::remove(const std::string& login, const std::string& actor) {
    return store::in_transaction(m_database, "removing a user", [&]() -> Result<void> {
        store::UserStore users(m_database);
        auto record = users.get(login);
        if (!record)
            return std::unexpected(record.error());
        if (!*record)
            return fail(Errc::not_found, "no user " + login);
        if ((*record)->role == "admin") {
            auto admins = users.count_role("admin");
            if (!admins)
                return std::unexpected(admins.error());
            if (*admins <= 1)
                return fail(Errc::conflict, login + " is the last admin; add another admin first");
        }
        if (auto removed = users.remove(login); !removed)
            return removed;
        return m_audit.record(m_clock.now(), actor, "user.remove", login);
    });
}

Result<std::optional<Secret>> Users::ensure_first_admin() {
    // The common case (users exist) costs one count, not an Argon2 hash.
    auto existing = store::UserStore(m_database).count();
    if (!existing)
        return std::unexpected(existing.error());
    if (*existing > 0)
        return std::optional<Secret>();
    auto password = crypto::random_password(kFirstAdminPasswordLength);
    if (!password)
        return std::unexpected(password.error());
    auto hash = crypto::hash_password(*password);
    if (!hash)
        return std::unexpected(hash.error());
    // Counted and inserted in one transaction (the write lock is taken at BEGIN), so two nodes
    // starting at once make one admin, not two.
    auto made = store::in_transaction(m_database, "making the first admin", [&]() -> Result<bool> {
        store::UserStore users(m_database);
        auto count = users.count();
        if (!count)
            return std::unexpected(count.error());
        if (*count > 0)
            return false;
        store::UserRecord record{.login = "admin",
                                 .role = "admin",
                                 .password_hash = *hash,
                                 .must_change_password = true,
                                 .created_at = to_iso8601(m_clock.now()),
                                 .created_by = "first start",
                                 .last_login_at = std::nullopt};
        if (auto inserted = users.insert(record); !inserted)
            return std::unexpected(inserted.error());
        if (auto audited =
                m_audit.record(m_clock.now(), "first start", "user.add", "admin (admin)");
            !audited)
            return std::unexpected(audited.error());
        return true;
    });
    if (!made)
        return std::unexpected(made.error());
    if (!*made)
        return std::optional<Secret>();
    return std::optional<Secret>(std::move(*password));
}

Result<UserView> Users::verify(const std::string& login, const Secret& password) {
    auto record = store::UserStore(m_database).get(login);
    if (!record)
        return std::unexpected(record.error());
    if (!*record) {
        (void)crypto::verify_password(password, dummy_hash());
        return fail(Errc::denied, "wrong login or password");
    }
    if (!crypto::verify_password(password, (*record)->password_hash))
        return fail(Errc::denied, "wrong login or password");
    return to_view(**record);
}

Result<void> Users::record_login(const std::string& login) {
    return store::UserStore(m_database).set_last_login(login, to_iso8601(m_clock.now()));
}

}  // namespace casecrypt::services
