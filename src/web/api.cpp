#include "web/api.h"

#include <charconv>

#include "core/file_io.h"
#include "core/log.h"
#include "core/scratch_dir.h"

namespace casecrypt::web {

int status_for(Errc code) {
    switch (code) {
        case Errc::usage:
            return 400;
        case Errc::denied:
            return 403;
        case Errc::not_found:
            return 404;
        case Errc::conflict:
            return 409;
        case Errc::rejected:
            return 422;
        case Errc::throttled:
            return 429;
        case Errc::io:
        case Errc::internal:
            return 500;
    }
    return 500;
}

void send_json(httplib::Response& response, const nlohmann::json& body, int status) {
    response.status = status;
    // Invalid UTF-8 from a stranger (a subject, a file name) is replaced, never a thrown error.
    response.set_content(body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
                         "application/json");
}

void send_error(httplib::Response& response, int status, const std::string& sentence) {
    send_json(response, nlohmann::json{{"error", sentence}}, status);
}

void send_error(httplib::Response& response, const Error& error) {
    if (error.code() == Errc::internal) {
        spdlog::error("web: internal error: {}", error.message());
        send_error(response, 500, "internal error; the server log has the details");
        return;
    }
    if (error.code() == Errc::io)
        spdlog::warn("web: {}", error.message());
    send_error(response, status_for(error.code()), error.message());
}

Result<nlohmann::json> json_body(const httplib::Request& request) {
    // Only application/json: a cross-site form cannot send it without a CORS preflight, which
    // this server never grants.
    if (!request.get_header_value("Content-Type").starts_with("application/json"))
        return fail(Errc::usage, "send the body as application/json");
    auto body = nlohmann::json::parse(request.body, nullptr, false);
    if (body.is_discarded() || !body.is_object())
        return fail(Errc::usage, "the body is not a JSON object");
    return body;
}

Result<std::optional<std::string>> json_string(const nlohmann::json& body, const char* name) {
    auto it = body.find(name);
    if (it == body.end() || it->is_null())
        return std::optional<std::string>();
    if (!it->is_string())
        return fail(Errc::usage, std::string(name) + " must be a string");
    return std::optional<std::string>(it->get<std::string>());
}

Result<std::string> required_string(const nlohmann::json& body, const char* name) {
    auto value = json_string(body, name);
    if (!value)
        return std::unexpected(value.error());
    if (!*value)
        return fail(Errc::usage, std::string(name) + " is missing");
    return **value;
}

Result<long long> id_parameter(const httplib::Request& request, std::size_t index) {
    if (request.matches.size() <= index)
        return fail(Errc::usage, "the path names no id");
    const std::string text = request.matches[index].str();
    long long value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || value <= 0)
        return fail(Errc::usage, "\"" + text + "\" is not an id");
    return value;
}

}  // namespace casecrypt::web

namespace casecrypt::web {

std::string cookie_value(const httplib::Request& request, std::string_view name) {
    const std::string header = request.get_header_value("Cookie");
    std::string_view rest = header;
    while (!rest.empty()) {
        const auto end = rest.find(';');
        std::string_view pair = rest.substr(0, end);
        rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
        while (!pair.empty() && pair.front() == ' ')
            pair.remove_prefix(1);
        const auto eq = pair.find('=');
        if (eq != std::string_view::npos && pair.substr(0, eq) == name)
            return std::string(pair.substr(eq + 1));
    }
    return {};
}

Result<std::string> saved_file_bytes(
    ApiCall& call, const std::function<Result<void>(const std::filesystem::path&)>& save) {
    auto scratch = ScratchDir::create(call.installation.work_dir());
    if (!scratch)
        return std::unexpected(scratch.error());
    const auto file = scratch->file("download");
    if (auto saved = save(file); !saved)
        return std::unexpected(saved.error());
    return read_file(file, std::size_t(1) << 31);
}

}  // namespace casecrypt::web
