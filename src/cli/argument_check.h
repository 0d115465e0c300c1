// Checks every parsed command-line value before any command runs: each must be valid UTF-8,
// since what an argument gives (a subject, an account's user, a property value, an attached
// file's name) is stored as text and later printed as JSON. One check where all arguments pass,
// rather than one per option, so a new option cannot forget it.
#pragma once

#include <CLI/CLI.hpp>

#include "core/error.h"

namespace casecrypt::cli {

// Errc::usage naming the first offending option (or positional argument) of `app` and of the
// subcommands chosen on the command line.
Result<void> check_arguments_are_utf8(const CLI::App& app);

}  // namespace casecrypt::cli
