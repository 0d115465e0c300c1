#include "store/user_store.h"

#include <soci/soci.h>

#include "store/guarded.h"

namespace casecrypt::store {
namespace {

constexpr const char* kColumns =
    "login, role, password_hash, must_change_password, created_at, created_by, last_login_at";

struct Row {
    UserRecord record;
    int must_change = 1;
    std::string last_login;
    soci::indicator last_login_indicator = soci::i_null;

    UserRecord take() {
        UserRecord out = record;
        out.must_change_password = must_change != 0;
        if (last_login_indicator == soci::i_ok)
            out.last_login_at = last_login;
        return out;
    }
};

void bind(soci::statement& statement, Row& row) {
    statement.exchange(soci::into(row.record.login));
    statement.exchange(soci::into(row.record.role));
    statement.exchange(soci::into(row.record.password_hash));
    statement.exchange(soci::into(row.must_change));
    statement.exchange(soci::into(row.record.created_at));
    statement.exchange(soci::into(row.record.created_by));
    statement.exchange(soci::into(row.last_login, row.last_login_indicator));
}

}  // namespace

Result<void> UserStore::insert(const UserRecord& u) {
    return guarded("adding a user", [&]() -> Result<void> {
        soci::session& sql = m_database.session();
        int existing = 0;
        sql << "SELECT COUNT(*) FROM users WHERE login = :l", soci::use(u.login),
            soci::into(existing);
        if (existing > 0)
            return fail(Errc::conflict, "a user " + u.login + " exists already");
        const int must_change = u.must_change_password ? 1 : 0;
        sql << "INSERT INTO users (login, role, password_hash, must_change_password, created_at, "
               "created_by) VALUES (:l, :r, :h, :m, :c, :b)",
            soci::use(u.login), soci::use(u.role), soci::use(u.password_hash),
            soci::use(must_change), soci::use(u.created_at), soci::use(u.created_by);
        return {};
    });
}

Result<std::vector<UserRecord>> UserStore::list() {
    return guarded("reading users", [&]() -> Result<std::vector<UserRecord>> {
        std::vector<UserRecord> users;
        Row row;
        soci::statement statement(m_database.session());
        statement.alloc();
        statement.prepare(std::string("SELECT ") + kColumns + " FROM users ORDER BY login");
        bind(statement, row);
        statement.define_and_bind();
        statement.execute();
        while (statement.fetch())
            users.push_back(row.take());
        return users;
    });
}

Result<std::optional<UserRecord>> UserStore::get(const std::string& login) {
    return guarded("reading a user", [&]() -> Result<std::optional<UserRecord>> {
        Row row;
        std::string wanted = login;
        soci::statement statement(m_database.session());
        statement.alloc();
        statement.prepare(std::string("SELECT ") + kColumns + " FROM users WHERE login = :l");
        bind(statement, row);
        statement.exchange(soci::use(wanted));
        statement.define_and_bind();
        statement.execute();
        if (!statement.fetch())
            return std::optional<UserRecord>();
        return std::optional<UserRecord>(row.take());
    });
}

Result<long long> UserStore::count() {
    return guarded("counting users", [&]() -> Result<long long> {
        long long n = 0;
        m_database.session() << "SELECT COUNT(*) FROM users", soci::into(n);
        return n;
    });
}

Result<long long> UserStore::count_role(const std::string& role) {
    return guarded("counting users", [&]() -> Result<long long> {
        long long n = 0;
        m_database.session() << "SELECT COUNT(*) FROM users WHERE role = :r", soci::use(role),
            soci::into(n);
        return n;
    });
}

Result<void> UserStore::set_password(const std::string& login, const std::string& password_hash,
                                     bool must_change) {
    return guarded("changing a password", [&]() -> Result<void> {
        const int flag = must_change ? 1 : 0;
        soci::statement statement =
            (m_database.session().prepare << "UPDATE users SET password_hash = :h, "
                                             "must_change_password = :m WHERE login = :l",
             soci::use(password_hash), soci::use(flag), soci::use(login));
        statement.execute(true);
        if (statement.get_affected_rows() == 0)
            return fail(Errc::not_found, "no user " + login);
        return {};
    });
}

Result<void> UserStore::set_role(const std::string& login, const std::string& role) {
    return guarded("changing a role", [&]() -> Result<void> {
        soci::statement statement =
            (m_database.session().prepare << "UPDATE users SET role = :r WHERE login = :l",
             soci::use(role), soci::use(login));
        statement.execute(true);
        if (statement.get_affected_rows() == 0)
            return fail(Errc::not_found, "no user " + login);
        return {};
    });
}

Result<void> UserStore::set_last_login(const std::string& login, const std::string& at) {
    return guarded("recording a login", [&]() -> Result<void> {
        m_database.session() << "UPDATE users SET last_login_at = :a WHERE login = :l",
            soci::use(at), soci::use(login);
        return {};
    });
}

Result<void> UserStore::remove(const std::string& login) {
    return guarded("removing a user", [&]() -> Result<void> {
        soci::session& sql = m_database.session();
        // Sessions first: PostgreSQL enforces the reference whatever SQLite's pragma says.
        sql << "DELETE FROM sessions WHERE login = :l", soci::use(login);
        soci::statement statement =
            (sql.prepare << "DELETE FROM users WHERE login = :l", soci::use(login));
        statement.execute(true);
        if (statement.get_affected_rows() == 0)
            return fail(Errc::not_found, "no user " + login);
        return {};
    });
}

}  // namespace casecrypt::store
