#include "web/ticket_routes.h"

#include <filesystem>

#include "core/file_io.h"
#include "core/scratch_dir.h"
#include "services/html_links.h"
#include "services/view_json.h"

namespace casecrypt::web {
namespace {

// The CLI's --json object of a message, with what the pages need besides: its id, the URL of
// its HTML view and the links in it.
void add_message_extras(nlohmann::json& json, const services::MessageView& m) {
    json["id"] = m.id;
    if (m.html) {
        json["html_url"] = "/api/messages/" + std::to_string(m.id) + "/html";
        json["links"] = services::links_in_html(*m.html);
    } else {
        json["html_url"] = nullptr;
        json["links"] = nlohmann::json::array();
    }
    for (std::size_t i = 0; i < m.attachments.size() && i < json["attachments"].size(); ++i) {
        json["attachments"][i]["url"] = "/api/attachments/" + std::to_string(m.attachments[i].id);
    }
}

void list(ApiCall& call) {
    auto tickets = call.installation.tickets().list();
    if (!tickets)
        return send_error(call.response, tickets.error());
    nlohmann::json out = nlohmann::json::array();
    for (const auto& t : *tickets)
        out.push_back(services::ticket_json(t));
    send_json(call.response, out);
}

void show(ApiCall& call) {
    auto number = id_parameter(call.request);
    if (!number)
        return send_error(call.response, number.error());
    auto view = call.installation.tickets().show(*number);
    if (!view)
        return send_error(call.response, view.error());
    auto json = services::ticket_json(*view);
    for (std::size_t i = 0; i < view->messages.size() && i < json["messages"].size(); ++i)
        add_message_extras(json["messages"][i], view->messages[i]);
    send_json(call.response, json);
}

// A list field: a JSON string (an address list) or an array of them.
Result<std::vector<std::string>> address_field(const nlohmann::json& body, const char* name) {
    auto it = body.find(name);
    if (it == body.end() || it->is_null())
        return std::vector<std::string>();
    if (it->is_string()) {
        if (it->get<std::string>().empty())
            return std::vector<std::string>();
        return std::vector<std::string>{it->get<std::string>()};
    }
    if (it->is_array()) {
        std::vector<std::string> out;
        for (const auto& entry : *it) {
            if (!entry.is_string())
                return fail(Errc::usage, std::string(name) + " must hold strings");
            if (!entry.get<std::string>().empty())
                out.push_back(entry.get<std::string>());
        }
        return out;
    }
    return fail(Errc::usage, std::string(name) + " must be a string or an array of strings");
}

Result<std::optional<bool>> encrypt_field(const std::string& text) {
    if (text.empty())
        return std::optional<bool>();
    if (text == "true" || text == "on" || text == "1")
        return std::optional<bool>(true);
    if (text == "false" || text == "off" || text == "0")
        return std::optional<bool>(false);
    return fail(Errc::usage, "encrypt must be true or false");
}

// An uploaded file's name as the attachment's: its last path element, without control
// characters; "attachment" when nothing is left.
std::string attachment_name(const std::string& filename) {
    std::string name = filename.substr(filename.find_last_of("/\\") + 1);
    std::erase_if(name, [](unsigned char c) { return c < 0x20 || c == 0x7f; });
    if (name.empty() || name == "." || name == "..")
        name = "attachment";
    return name;
}

// A SendRequest from the JSON body or the multipart form (with files); the files are written
// into `scratch`, each in a directory of its own so that it keeps its name.
Result<services::SendRequest> send_request(const httplib::Request& request, ScratchDir& scratch) {
    services::SendRequest out;
    nlohmann::json body = nlohmann::json::object();
    if (request.is_multipart_form_data()) {
        for (const auto& [name, part] : request.files) {
            if (name == "files" || name == "files[]") {
                const auto dir =
                    scratch.path() / ("upload-" + std::to_string(out.attachments.size()));
                std::error_code ec;
                std::filesystem::create_directory(dir, ec);
                if (ec)
                    return fail(Errc::io, "cannot keep an upload: " + ec.message());
                const auto path = dir / attachment_name(part.filename);
                if (auto written = write_file_atomic(
                        path, part.content,
                        std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
                    !written) {
                    return std::unexpected(written.error());
                }
                out.attachments.push_back(path);
            } else if (name == "to" || name == "cc" || name == "bcc") {
                if (!body.contains(name))
                    body[name] = nlohmann::json::array();
                body[name].push_back(part.content);
            } else {
                body[name] = part.content;
            }
        }
    } else {
        auto json = json_body(request);
        if (!json)
            return std::unexpected(json.error());
        body = std::move(*json);
        if (auto it = body.find("encrypt"); it != body.end() && it->is_boolean())
            *it = it->get<bool>() ? "true" : "false";
    }
    for (auto [field, list] : {std::pair{"to", &out.to}, {"cc", &out.cc}, {"bcc", &out.bcc}}) {
        auto addresses = address_field(body, field);
        if (!addresses)
            return std::unexpected(addresses.error());
        *list = std::move(*addresses);
    }
    if (out.to.empty() && out.cc.empty() && out.bcc.empty())
        return fail(Errc::usage, "the mail has no recipient (give to, cc or bcc)");
    auto subject = json_string(body, "subject");
    auto text = json_string(body, "text");
    auto from = json_string(body, "from");
    auto encrypt = json_string(body, "encrypt");
    for (const auto* field : {&subject, &text, &from, &encrypt}) {
        if (!*field)
            return std::unexpected(field->error());
    }
    out.subject = subject->value_or("");
    out.text = text->value_or("");
    out.from = from->value_or("");
    auto wanted = encrypt_field(encrypt->value_or(""));
    if (!wanted)
        return std::unexpected(wanted.error());
    out.encrypt = *wanted;
    return out;
}

nlohmann::json send_report_json(const services::SendReport& report) {
    auto json = services::report_json(report);
    if (!json.contains("delivery")) {
        json["delivery"] = nlohmann::json::array();
        for (const auto& o : report.delivery) {
            json["delivery"].push_back({{"outbox_id", o.outbox_id},
                                        {"state", services::to_string(o.state)},
                                        {"detail", o.detail}});
        }
    }
    json["delivery_error"] =
        report.delivery_error ? nlohmann::json(report.delivery_error->message()) : nullptr;
    return json;
}

void send_mail(ApiCall& call) {
    auto number = id_parameter(call.request);
    if (!number)
        return send_error(call.response, number.error());
    auto scratch = ScratchDir::create(call.installation.work_dir());
    if (!scratch)
        return send_error(call.response, scratch.error());
    auto request = send_request(call.request, *scratch);
    if (!request)
        return send_error(call.response, request.error());
    if (request->from.empty()) {
        auto from = call.installation.tickets().reply_sender(*number);
        if (!from)
            return send_error(call.response, from.error());
        request->from = *from;
    }
    auto report = call.installation.outbox().send_now(*request, *number);
    if (!report)
        return send_error(call.response, report.error());
    // A refused mail (a recipient without a certificate under the reject policy) is an answer,
    // not an error: the report says who.
    auto json = send_report_json(*report);
    if (report->rejected())
        json["error"] = report->sentence;
    send_json(call.response, json, report->rejected() ? 422 : 201);
}

}  // namespace

void add_ticket_routes(ApiRoutes& routes) {
    routes.get("/api/tickets", Access::engineer, list);
    routes.get(R"(/api/tickets/(\d+))", Access::engineer, show);
    routes.post(R"(/api/tickets/(\d+)/mails)", Access::engineer, send_mail);
}

}  // namespace casecrypt::web
