// When the command line names a command that does not exist ("casecrypt certs list"), the
// message names what was typed and the nearest command ("unknown command 'certs'; did you mean
// 'cert'?"), the way git and cargo answer a typo, instead of CLI11's "A subcommand is
// required" or "The following arguments were not expected". Single-threaded; no state.
#pragma once

#include <CLI/CLI.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace casecrypt::cli {

// Levenshtein distance, bounded: how many single-character edits turn a into b.
std::size_t edit_distance(std::string_view a, std::string_view b);

// The candidate nearest to `typed` when it is near enough to be a typo (a prefix of it, or at
// most two edits away and fewer than half its letters), else nullopt.
std::optional<std::string> nearest(std::string_view typed, const std::vector<std::string>& names);

// After a failed parse of `app`: the sentence for an unknown command, when that is what went
// wrong (the first unconsumed word where a subcommand was expected), else nullopt.
std::optional<std::string> unknown_command_message(const CLI::App& app);

}  // namespace casecrypt::cli
