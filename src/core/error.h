// casecrypt::Error: the one error type of the project (STYLE.md rule 5).
//
// An Error is a stable code, which the edges map to exit codes, HTTP statuses and backup
// reasons, plus one human sentence naming what was wrong. Fallible operations return
// std::expected<T, Error>. Values; cheap to copy; thread-safe as any value.
#pragma once

#include <expected>
#include <string>
#include <utility>

namespace casecrypt {

enum class Errc {
    io,         // a file, the database or a server could not be used
    usage,      // the caller asked for something that does not exist or is malformed
    rejected,   // input was understood and refused (bad certificate, wrong password, ...)
    not_found,  // the thing asked for is not there
    conflict,   // it exists already, or the change would leave the installation unusable
    denied,     // not logged in, wrong login or password, or not allowed for this role
    throttled,  // too many failed attempts: asked to wait
    internal,   // a bug or a library failure we did not expect
};

class Error {
public:
    Error(Errc code, std::string message) : m_code(code), m_message(std::move(message)) {}

    Errc code() const { return m_code; }
    const std::string& message() const { return m_message; }

    // Returns a copy whose message is "context: message", for adding where it happened.
    Error with_context(const std::string& context) const {
        return Error(m_code, context + ": " + m_message);
    }

private:
    Errc m_code;
    std::string m_message;
};

template <typename T>
using Result = std::expected<T, Error>;

inline std::unexpected<Error> fail(Errc code, std::string message) {
    return std::unexpected<Error>(Error(code, std::move(message)));
}

}  // namespace casecrypt
