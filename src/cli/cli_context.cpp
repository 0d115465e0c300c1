#include "cli/cli_context.h"

#include <pwd.h>
#include <unistd.h>

#include <cstdlib>
#include <iostream>

#include "core/text.h"
#include "workflow/lua_engine.h"

namespace casecrypt::cli {

int exit_code_for(const Error& error) {
    switch (error.code()) {
        case Errc::usage:
            return kExitUsage;
        case Errc::rejected:
        case Errc::not_found:
        case Errc::conflict:
        case Errc::denied:
        case Errc::throttled:
            return kExitRejected;
        case Errc::io:
        case Errc::internal:
            return kExitFailure;
    }
    return kExitFailure;
}

services::InstallationOptions CliContext::installation_options() const {
    // Every process runs scripts: a `mail fetch` or `ticket close` runs the workflows its
    // events fire, and `serve` hands these same options to each web thread's Installation.
    services::InstallationOptions options{.data_dir = data_dir,
                                          .database_url = database_url,
                                          .master_key = std::nullopt,
                                          .script_engine = workflow::lua_engine_factory()};
    if (const char* key_file = std::getenv("CASECRYPT_MASTER_KEY_FILE");
        key_file != nullptr && *key_file != '\0') {
        options.master_key = key_file;
    }
    return options;
}

Result<services::Installation*> CliContext::installation() {
    if (!m_installation) {
        auto opened = services::Installation::open(installation_options(), m_clock);
        if (!opened) {
            return std::unexpected(opened.error());
        }
        m_installation = std::move(*opened);
    }
    return m_installation.get();
}

Error with_hint(const Error& error, const std::string& hint) {
    return Error(error.code(), error.message() + " (" + hint + ")");
}

std::string CliContext::actor() const {
    const passwd* pw = ::getpwuid(::geteuid());
    return std::string("cli:") + (pw != nullptr ? pw->pw_name : std::to_string(::geteuid()));
}

std::string one_line(std::string_view message) {
    while (!message.empty() &&
           (message.back() == '\n' || message.back() == '\r' || message.back() == ' ')) {
        message.remove_suffix(1);
    }
    return escape_control(message);
}

int CliContext::report(const Error& error) const {
    std::cerr << "error: " << one_line(error.message()) << "\n";
    return exit_code_for(error);
}

void CliContext::warn(const std::string& message) const {
    std::cerr << "warning: " << one_line(message) << "\n";
}

}  // namespace casecrypt::cli
