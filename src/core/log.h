// Logging: one spdlog logger for the process, writing to stderr.
//
// Never log a password, a key or a message body (STYLE.md rule 8); log identifiers
// (certificate fingerprints, ids, addresses). Thread-safe (spdlog's _mt sinks).
#pragma once

#include <spdlog/spdlog.h>

namespace casecrypt::log {

// Sets up the process logger; "warn" keeps CLI output quiet, "debug" for diagnosis.
void init(const std::string& level);

}  // namespace casecrypt::log
