// `casecrypt property ...`: list, read and change system properties.
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/password_input.h"
#include "core/json_text.h"
#include "services/view_json.h"

namespace casecrypt::cli {
namespace {

// The service names the unknown property; the CLI says where the known ones are.
int report(CliContext& ctx, const Error& error) {
    return ctx.report(
        error.code() == Errc::not_found
            ? Error(error.code(), error.message() + " (`property list` shows the known ones)")
            : error);
}

struct PropertyOptions {
    std::string module;
    std::string name;
    std::string value;
    std::string value_file;
    bool value_stdin = false;
    bool json = false;
};

}  // namespace

void add_property_commands(CLI::App& app, Action& action) {
    auto o = std::make_shared<PropertyOptions>();
    auto* property = app.add_subcommand(
        "property", "Read and change system properties (module / name, as in the product's docs)");
    property->require_subcommand(1);

    auto* list = property->add_subcommand("list", "List every property with its value");
    list->add_flag("--json", o->json,
                   "print a JSON array: module, name, value (a secret as \"***\"), default, type, "
                   "description, is_default");
    list->footer("Example:\n  casecrypt property list --json");
    list->callback([o, &action] {
        action = [o](CliContext& ctx, services::Installation& installation) {
            auto views = installation.properties().list();
            if (!views) {
                return ctx.report(views.error());
            }
            if (o->json) {
                auto array = nlohmann::json::array();
                for (const auto& r : *views) {
                    array.push_back(services::property_json(r));
                }
                std::cout << json_text(array, 2) << "\n";
                return kExitOk;
            }
            for (const auto& r : *views) {
                std::cout << r.module << " / " << r.name << " = " << shown(r.value)
                          << (r.is_default ? " (default)" : "") << "\n    " << r.description << " ["
                          << r.type << ", default " << r.default_value << "]\n";
            }
            return kExitOk;
        };
    });

    auto* get = property->add_subcommand("get", "Print one property's value");
    get->add_option("MODULE", o->module, "the property's module, e.g. cmas-core-server")
        ->required();
    get->add_option("NAME", o->name, "the property's name, e.g. mail.encryption")->required();
    get->footer("Example:\n  casecrypt property get cmas-core-server mail.encryption");
    get->callback([o, &action] {
        action = [o](CliContext& ctx, services::Installation& installation) {
            auto view = installation.properties().get(o->module, o->name);
            if (!view) {
                return report(ctx, view.error());
            }
            std::cout << shown(view->value) << "\n";
            return kExitOk;
        };
    });

    auto* set = property->add_subcommand(
        "set",
        "Change one property. Give a secret (mail.transport.password, "
        "ldap.certificate.password) with --value-file or --value-stdin, never as VALUE: the "
        "command line is visible in `ps` and the shell history");
    set->add_option("MODULE", o->module, "the property's module, e.g. cmas-core-server")
        ->required();
    set->add_option("NAME", o->name, "the property's name, e.g. mail.encryption")->required();
    set->footer(
        "Examples:\n  casecrypt property set cmas-core-server mail.encryption true\n"
        "  casecrypt property set cmas-core-server mail.transport.password --value-file smtp.pass");
    auto* value = set->add_option("VALUE", o->value, "the new value (not for secrets)");
    auto* value_file = set->add_option(
        "--value-file", o->value_file,
        "read the value from this file (one trailing newline is dropped; at most 64 KiB)");
    auto* value_stdin = set->add_flag("--value-stdin", o->value_stdin,
                                      "read the value from standard input (as --value-file)");
    value->excludes(value_file)->excludes(value_stdin);
    value_file->excludes(value_stdin);
    set->callback([o, value, value_file, value_stdin, &action] {
        if (value->count() + value_file->count() + value_stdin->count() == 0) {
            throw CLI::RequiredError("a value: VALUE, --value-file F or --value-stdin");
        }
        action = [o](CliContext& ctx, services::Installation& installation) {
            std::string new_value = o->value;
            if (!o->value_file.empty() || o->value_stdin) {
                auto read = read_secret_input(o->value_file, o->value_stdin);
                if (!read)
                    return ctx.report(read.error());
                new_value = std::string(read->reveal());
            }
            auto& properties = installation.properties();
            if (auto done = properties.set(o->module, o->name, new_value, ctx.actor()); !done) {
                return report(ctx, done.error());
            }
            auto view = properties.get(o->module, o->name);
            std::cout << o->module << " / " << o->name << " = " << (view ? view->value : "")
                      << "\n";
            return kExitOk;
        };
    });
}

}  // namespace casecrypt::cli
