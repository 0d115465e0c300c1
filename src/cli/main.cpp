// casecrypt: the one binary. Parses the command line, runs the chosen subcommand, and maps its
// outcome to the documented exit codes (0 done, 1 failure, 2 usage, 3 input rejected).
#include <csignal>
#include <cstdlib>
#include <iostream>
#include <utility>

#include "cli/argument_check.h"
#include "cli/cli_context.h"
#include "cli/command_suggestion.h"
#include "cli/commands.h"
#include "core/log.h"

namespace {

int run(int argc, char** argv) {
    using namespace casecrypt::cli;
    // A peer that goes away (a closed pipe, an SMTP server) is an error to report, not a
    // reason to die.
    std::signal(SIGPIPE, SIG_IGN);
    CliContext ctx;
    Action action;
    std::string log_level = "warn";

    CLI::App app{"casecrypt: S/MIME encryption for the case-management system's mail"};
    app.require_subcommand(1);
    app.set_version_flag("--version", std::string("casecrypt ") + CASECRYPT_VERSION,
                         "print the version and exit");
    const char* env_dir = std::getenv("CASECRYPT_DATA_DIR");
    ctx.data_dir = env_dir != nullptr && *env_dir != '\0' ? env_dir : "./var";
    app.add_option("--data-dir", ctx.data_dir,
                   "data directory (default: $CASECRYPT_DATA_DIR, else ./var)");
    app.add_option("--database", ctx.database_url,
                   "database URL: postgresql://... (default: SQLite in the data directory)");
    app.add_option("--log-level", log_level, "trace, debug, info, warn, error")
        ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "off"}));
    add_cert_commands(app, action);
    add_property_commands(app, action);
    add_mail_commands(app, action);
    add_outbox_commands(app, action);
    add_incoming_commands(app, action);
    add_serve_command(app, action);
    add_user_commands(app, action);
    add_workflow_commands(app, action);
    // `mail` is registered by several groups (encrypt/decrypt, send, fetch): its line in the
    // top help names all it does.
    app.get_subcommand("mail")->description(
        "Send mail (encrypted when it should be), fetch and file incoming mail, encrypt or "
        "decrypt one S/MIME message");
    // The groups whose commands come from several files get their example here.
    const std::pair<const char*, const char*> group_examples[] = {
        {"cert", "casecrypt cert import-client customer.cer"},
        {"property", "casecrypt property set cmas-core-server mail.encryption true"},
        {"mail", "casecrypt mail fetch --json"},
        {"outbox", "casecrypt outbox list"},
    };
    for (const auto& [group, example] : group_examples) {
        app.get_subcommand(group)->footer(std::string("Example:\n  ") + example + "\n");
    }
    app.footer(
        "Examples:\n"
        "  casecrypt cert import-server support.p12 --password-file support.pass\n"
        "  casecrypt property set cmas-core-server mail.encryption true\n"
        "  casecrypt mail send --from support@example.com --to customer@example.org "
        "--subject Hello --body Hi\n"
        "  casecrypt serve\n"
        "Run `casecrypt COMMAND --help` for a command's arguments.\n");

    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForAllHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForVersion& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        const auto unknown = unknown_command_message(app);
        std::cerr << "error: " << one_line(unknown ? *unknown : std::string(e.what()))
                  << "\n(run `casecrypt --help` for usage)\n";
        return kExitUsage;
    }
    if (auto checked = check_arguments_are_utf8(app); !checked) {
        return ctx.report(checked.error());
    }
    casecrypt::log::init(log_level);
    if (!action) {
        std::cerr << "error: no command given\n" << app.help();
        return kExitUsage;
    }
    auto installation = ctx.installation();
    if (!installation) {
        return ctx.report(installation.error());
    }
    return action(ctx, **installation);
}

}  // namespace

// Nothing unexpected ends the process with an abort: it is one `error:` line and exit 1.
int main(int argc, char** argv) {
    try {
        return run(argc, argv);
    } catch (const std::exception& e) {
        std::cerr << "error: unexpected: " << e.what() << "\n";
    } catch (...) {
        std::cerr << "error: unexpected failure\n";
    }
    return casecrypt::cli::kExitFailure;
}
