// `casecrypt user ...`: who may log in to the admin tool and the web client (`serve`), and
// `casecrypt page-customization ...` and `casecrypt audit list`, the other web-edge settings an
// operator may need without a browser. They parse, call services, print.
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/password_input.h"
#include "cli/text_table.h"
#include "core/iso_time.h"
#include "core/json_text.h"
#include "core/text.h"
#include "services/view_json.h"

namespace casecrypt::cli {
namespace {

struct UserOptions {
    std::string login;
    std::string role;
    std::string password_file;
    bool password_stdin = false;
    bool json = false;
    std::string type, name, value;
    int limit = 50;
};

constexpr std::size_t kOneTimePasswordLength = 20;

// The password given with --password-file/--password-stdin, or a one-time one that is printed
// once and must be changed at the first login.
struct ChosenPassword {
    Secret password;
    bool one_time = false;
};

Result<ChosenPassword> choose_password(const UserOptions& o) {
    if (!o.password_file.empty() || o.password_stdin) {
        auto read = read_password(o.password_file, o.password_stdin);
        if (!read)
            return std::unexpected(read.error());
        return ChosenPassword{.password = std::move(*read), .one_time = false};
    }
    auto made = services::one_time_password(kOneTimePasswordLength);
    if (!made)
        return std::unexpected(made.error());
    return ChosenPassword{.password = std::move(*made), .one_time = true};
}

void print_one_time(const std::string& login, const ChosenPassword& chosen) {
    if (chosen.one_time) {
        std::cout << "one-time password for " << login << ": " << chosen.password.reveal()
                  << "\n(shown once; it must be changed at the first login)\n";
    }
}

void add_password_options(CLI::App* command, UserOptions& o) {
    auto* file = command->add_option("--password-file", o.password_file,
                                     "read the password from this file (at least 12 characters)");
    auto* in = command->add_flag("--password-stdin", o.password_stdin,
                                 "read the password from standard input");
    file->excludes(in);
}

void add_user_group(CLI::App& app, Action& action, std::shared_ptr<UserOptions> o) {
    auto* user = app.add_subcommand(
        "user", "Manage who may log in to the admin tool and the web client (casecrypt serve)");
    user->require_subcommand(1);
    user->footer("Example:\n  casecrypt user add alice --role engineer --password-stdin < pw.txt");

    auto* add = user->add_subcommand(
        "add", "Add a user; without a password option a one-time password is made and printed");
    add->add_option("LOGIN", o->login, "the login (letters, digits, . _ @ -)")->required();
    add->add_option("--role", o->role, "admin (everything) or engineer (tickets and mail only)")
        ->required()
        ->check(CLI::IsMember({"admin", "engineer"}));
    add_password_options(add, *o);
    add->footer("Example:\n  casecrypt user add alice --role engineer");
    add->callback([o, &action] {
        action = [o](CliContext& ctx, services::Installation& installation) {
            auto role = services::parse_role(o->role);
            if (!role)
                return ctx.report(role.error());
            auto chosen = choose_password(*o);
            if (!chosen)
                return ctx.report(chosen.error());
            // A password given here is the user's own: no change is forced at first login.
            auto added = installation.users().add(o->login, *role, chosen->password, ctx.actor(),
                                                  chosen->one_time);
            if (!added)
                return ctx.report(added.error());
            std::cout << "user " << added->login << " added (" << services::to_string(*role)
                      << ")\n";
            print_one_time(o->login, *chosen);
            return kExitOk;
        };
    });

    auto* passwd = user->add_subcommand(
        "passwd", "Set a user's password; without a password option a one-time one is printed");
    passwd->add_option("LOGIN", o->login, "the login")->required();
    add_password_options(passwd, *o);
    passwd->footer("Example:\n  casecrypt user passwd alice --password-file new.txt");
    passwd->callback([o, &action] {
        action = [o](CliContext& ctx, services::Installation& installation) {
            auto chosen = choose_password(*o);
            if (!chosen)
                return ctx.report(chosen.error());
            auto& users = installation.users();
            if (auto set = users.set_password(o->login, chosen->password, ctx.actor()); !set)
                return ctx.report(set.error());
            // Sessions opened with the old password end: that is what changing it is for.
            if (auto ended = installation.sessions().end_all_of(o->login); !ended)
                return ctx.report(ended.error());
            std::cout << "password of " << o->login << " changed; its sessions ended\n";
            print_one_time(o->login, *chosen);
            return kExitOk;
        };
    });

    auto* role = user->add_subcommand("role", "Change a user's role (not the last admin's)");
    role->add_option("LOGIN", o->login, "the login")->required();
    role->add_option("--role", o->role, "admin (everything) or engineer (tickets and mail only)")
        ->required()
        ->check(CLI::IsMember({"admin", "engineer"}));
    role->footer("Example:\n  casecrypt user role alice --role admin");
    role->callback([o, &action] {
        action = [o](CliContext& ctx, services::Installation& installation) {
            auto wanted = services::parse_role(o->role);
            if (!wanted)
                return ctx.report(wanted.error());
            auto user = installation.users().set_role(o->login, *wanted, ctx.actor());
            if (!user)
                return ctx.report(user.error());
            std::cout << "user " << user->login << " is " << services::to_string(user->role)
                      << "\n";
            return kExitOk;
        };
    });

    auto* list = user->add_subcommand("list", "List the users with their role and last login");
    list->add_flag("--json", o->json, "print a JSON array");
    list->footer("Example:\n  casecrypt user list --json");
    list->callback([o, &action] {
        action = [o](CliContext& ctx, services::Installation& installation) {
            auto users = installation.users().list();
            if (!users)
                return ctx.report(users.error());
            if (o->json) {
                nlohmann::json out = nlohmann::json::array();
                for (const auto& u : *users)
                    out.push_back(services::user_json(u));
                std::cout << json_text(out, 2) << "\n";
                return kExitOk;
            }
            std::vector<std::vector<std::string>> rows;
            for (const auto& u : *users) {
                rows.push_back({u.login, services::to_string(u.role),
                                u.last_login ? to_iso8601(*u.last_login) : "never",
                                u.must_change_password ? "yes" : "no"});
            }
            std::cout << text_table({"LOGIN", "ROLE", "LAST LOGIN", "MUST CHANGE PASSWORD"}, rows);
            return kExitOk;
        };
    });

    auto* remove = user->add_subcommand("remove", "Remove a user (not the last admin)");
    remove->add_option("LOGIN", o->login, "the login")->required();
    remove->footer("Example:\n  casecrypt user remove alice");
    remove->callback([o, &action] {
        action = [o](CliContext& ctx, services::Installation& installation) {
            if (auto removed = installation.users().remove(o->login, ctx.actor()); !removed)
                return ctx.report(removed.error());
            std::cout << "user " << o->login << " removed\n";
            return kExitOk;
        };
    });
}

void add_page_customization_group(CLI::App& app, Action& action, std::shared_ptr<UserOptions> o) {
    auto* page = app.add_subcommand("page-customization",
                                    "Read and change the web client's page customizations");
    page->require_subcommand(1);
    auto* list = page->add_subcommand("list", "List the page customizations with their values");
    list->add_flag("--json", o->json, "print a JSON array");
    list->footer("Example:\n  casecrypt page-customization list");
    list->callback([o, &action] {
        action = [o](CliContext& ctx, services::Installation& installation) {
            auto views = installation.page_customizations().list();
            if (!views)
                return ctx.report(views.error());
            if (o->json) {
                nlohmann::json out = nlohmann::json::array();
                for (const auto& v : *views)
                    out.push_back(services::page_customization_json(v));
                std::cout << json_text(out, 2) << "\n";
                return kExitOk;
            }
            for (const auto& v : *views) {
                std::cout << v.type << " / " << v.name << " = " << v.value
                          << (v.is_default ? " (default)" : "") << "\n    " << v.description << " ["
                          << v.value_type << ", default " << v.default_value << "]\n";
            }
            return kExitOk;
        };
    });
    auto* set = page->add_subcommand("set", "Change one page customization");
    set->add_option("TYPE", o->type, "its type, e.g. mailTemplate")->required();
    set->add_option("NAME", o->name, "its name, e.g. mailEncryptionAvailable")->required();
    set->add_option("VALUE", o->value, "the new value")->required();
    set->footer(
        "Example:\n  casecrypt page-customization set mailTemplate mailEncryptionAvailable "
        "true");
    set->callback([o, &action] {
        action = [o](CliContext& ctx, services::Installation& installation) {
            auto view =
                installation.page_customizations().set(o->type, o->name, o->value, ctx.actor());
            if (!view)
                return ctx.report(view.error());
            std::cout << view->type << " / " << view->name << " = " << view->value << "\n";
            return kExitOk;
        };
    });
}

void add_audit_group(CLI::App& app, Action& action, std::shared_ptr<UserOptions> o) {
    auto* audit = app.add_subcommand("audit", "Read the audit log (who changed what, and when)");
    audit->require_subcommand(1);
    auto* list = audit->add_subcommand("list", "The newest entries first");
    list->add_option("--limit", o->limit, "how many entries")
        ->check(CLI::Range(1, 1000))
        ->capture_default_str();
    list->add_flag("--json", o->json, "print a JSON array");
    list->footer("Example:\n  casecrypt audit list --limit 20");
    list->callback([o, &action] {
        action = [o](CliContext& ctx, services::Installation& installation) {
            auto entries = installation.audit().recent(o->limit);
            if (!entries)
                return ctx.report(entries.error());
            if (o->json) {
                nlohmann::json out = nlohmann::json::array();
                for (const auto& e : *entries)
                    out.push_back(services::audit_json(e));
                std::cout << json_text(out, 2) << "\n";
                return kExitOk;
            }
            std::vector<std::vector<std::string>> rows;
            for (const auto& e : *entries)
                rows.push_back({e.at, e.actor, e.action, escape_control(e.detail)});
            std::cout << text_table({"AT", "ACTOR", "ACTION", "DETAIL"}, rows);
            return kExitOk;
        };
    });
}

}  // namespace

void add_user_commands(CLI::App& app, Action& action) {
    auto o = std::make_shared<UserOptions>();
    add_user_group(app, action, o);
    add_page_customization_group(app, action, o);
    add_audit_group(app, action, o);
}

}  // namespace casecrypt::cli
