#include "cli/argument_check.h"

#include "core/text.h"

namespace casecrypt::cli {
namespace {

// `command`: the subcommands chosen so far ("mail send"), empty for the global options.
Result<void> check(const CLI::App& app, const std::string& command) {
    for (const CLI::Option* option : app.get_options()) {
        for (const std::string& value : option->results()) {
            if (is_valid_utf8(value))
                continue;
            // The value itself is not repeated: it is what cannot be printed.
            const std::string name = option->get_name();
            return fail(Errc::usage, (name.starts_with("-") ? "the value of " : "the argument ") +
                                         name + (command.empty() ? "" : " of `" + command + "`") +
                                         " is not valid UTF-8 (arguments must be UTF-8 text)");
        }
    }
    for (const CLI::App* subcommand : app.get_subcommands()) {
        const std::string name = subcommand->get_name();
        if (auto checked = check(*subcommand, command.empty() ? name : command + " " + name);
            !checked) {
            return checked;
        }
    }
    return {};
}

}  // namespace

Result<void> check_arguments_are_utf8(const CLI::App& app) {
    return check(app, "");
}

}  // namespace casecrypt::cli
