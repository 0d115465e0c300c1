// `casecrypt property ...`: list, read and change system properties.
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/password_input.h"
#include "core/json_text.h"

namespace casecrypt::cli {
namespace {

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
    auto* property = app.add_subcommand("property", "Read and change system properties");
    property->require_subcommand(1);

    auto* list = property->add_subcommand("list", "List every property with its value");
    list->add_flag("--json", o->json, "print a JSON array");
    list->callback([o, &action] {
        action = [o](CliContext& ctx, services::Installation& installation) {
            auto records = installation.properties().list();
            if (!records) {
                return ctx.report(records.error());
            }
            if (o->json) {
                auto array = nlohmann::json::array();
                for (const auto& r : *records) {
                    array.push_back({{"module", r.module},
                                     {"name", r.name},
                                     {"value", r.display_value()},
                                     {"default", r.default_value},
                                     {"type", r.type},
                                     {"description", r.description},
                                     {"is_default", !r.value.has_value()}});
                }
                std::cout << json_text(array, 2) << "\n";
                return kExitOk;
            }
            for (const auto& r : *records) {
                std::cout << r.module << " / " << r.name << " = " << shown(r.display_value())
                          << (r.value ? "" : " (default)") << "\n    " << r.description << " ["
                          << r.type << ", default " << r.default_value << "]\n";
            }
            return kExitOk;
        };
    });

    auto* get = property->add_subcommand("get", "Print one property's value");
    get->add_option("MODULE", o->module)->required();
    get->add_option("NAME", o->name)->required();
    get->callback([o, &action] {
        action = [o](CliContext& ctx, services::Installation& installation) {
            auto record = installation.properties().get(o->module, o->name);
            if (!record) {
                return ctx.report(record.error());
            }
            std::cout << shown(record->display_value()) << "\n";
            return kExitOk;
        };
    });

    auto* set = property->add_subcommand(
        "set",
        "Change one property. Give a secret (mail.transport.password, "
        "ldap.certificate.password) with --value-file or --value-stdin, never as VALUE: the "
        "command line is visible in `ps` and the shell history");
    set->add_option("MODULE", o->module)->required();
    set->add_option("NAME", o->name)->required();
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
                return ctx.report(done.error());
            }
            auto record = properties.get(o->module, o->name);
            std::cout << o->module << " / " << o->name << " = "
                      << (record ? record->display_value() : "") << "\n";
            return kExitOk;
        };
    });
}

}  // namespace casecrypt::cli
