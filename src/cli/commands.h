// One registration function per subcommand group (STYLE.md rule 13): each adds its CLI11
// subcommands and sets `action` to the work to run once parsing has succeeded.
#pragma once

#include <CLI/CLI.hpp>

#include "cli/cli_context.h"

namespace casecrypt::cli {

void add_cert_commands(CLI::App& app, Action& action);
void add_property_commands(CLI::App& app, Action& action);
void add_mail_commands(CLI::App& app, Action& action);
// Needs the `mail` and `cert` groups added first.
void add_outbox_commands(CLI::App& app, Action& action);
// Needs the `mail` group added first.
void add_incoming_commands(CLI::App& app, Action& action);
void add_serve_command(CLI::App& app, Action& action);
void add_user_commands(CLI::App& app, Action& action);
void add_workflow_commands(CLI::App& app, Action& action);

}  // namespace casecrypt::cli
