// CliContext: what every subcommand needs: the global options, the installation (opened on
// first use, so `--help` works without a data directory), the acting user, and the mapping of
// errors to exit codes and stderr. Single-threaded.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/error.h"
#include "core/text.h"
#include "services/installation.h"

namespace casecrypt::cli {

// Exit codes (keep them: scripts depend on them).
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitRejected = 3;

int exit_code_for(const Error& error);

// The last guard before a message reaches the terminal: one line, whatever it holds. Messages of
// C libraries were folded where they were made (core/text.h fold_lines); what is left is input
// echoed back (an address with CR/LF from --to, a name with an ESC), shown escaped
// (escape_control), and the line breaks at the end go.
std::string one_line(std::string_view message);

// A value from a stranger (a Subject, a From, a file name, a server's reply) as the text output
// prints it: control characters escaped (escape_control), so it cannot move the cursor, clear
// the screen or fake a line of its own. A message body keeps its lines (shown_text).
inline std::string shown(std::string_view value) {
    return escape_control(value);
}
inline std::string shown_text(std::string_view text) {
    return escape_control(text, LineBreaks::keep);
}

// The service says what was wrong; the CLI adds how to fix it in its own terms (a command, a
// flag), in parentheses after the service's sentence.
Error with_hint(const Error& error, const std::string& hint);

class CliContext {
public:
    std::string data_dir;
    std::string database_url;

    // What opening the installation takes (the web server opens one per worker thread).
    services::InstallationOptions installation_options() const;
    // Opens the installation once; the error is reported by the caller.
    Result<services::Installation*> installation();
    const Clock& clock() const { return m_clock; }
    // "cli:<login name>" for the audit log.
    std::string actor() const;

    // Prints "error: <message>" to stderr, on one line (one_line), and returns the exit code for
    // it.
    int report(const Error& error) const;
    void warn(const std::string& message) const;

private:
    SystemClock m_clock;
    std::unique_ptr<services::Installation> m_installation;
};

// A subcommand's work, run after parsing succeeded, with the installation opened (main()
// reports when it cannot be).
using Action = std::function<int(CliContext&, services::Installation&)>;

}  // namespace casecrypt::cli
