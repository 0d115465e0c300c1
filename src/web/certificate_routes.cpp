#include "web/certificate_routes.h"

#include "core/text.h"
#include "services/view_json.h"
#include "web/web_server.h"

namespace casecrypt::web {
namespace {

std::string outcome_word(services::ImportOutcome outcome) {
    switch (outcome) {
        case services::ImportOutcome::imported:
            return "imported";
        case services::ImportOutcome::already_present:
            return "already_present";
        case services::ImportOutcome::skipped:
            return "skipped";
    }
    return "skipped";
}

nlohmann::json import_json(const services::ImportReport& report) {
    nlohmann::json items = nlohmann::json::array();
    for (const auto& item : report.items) {
        items.push_back({{"outcome", outcome_word(item.outcome)},
                         {"note", item.note},
                         {"certificate", services::certificate_json(item.certificate)}});
    }
    return {{"items", items}, {"warnings", report.warnings}};
}

void list(ApiCall& call) {
    std::optional<services::CertificateKind> kind;
    if (call.request.has_param("kind")) {
        const std::string word = call.request.get_param_value("kind");
        if (word == "server") {
            kind = services::CertificateKind::server;
        } else if (word == "client") {
            kind = services::CertificateKind::client;
        } else if (word == "ca") {
            kind = services::CertificateKind::ca;
        } else {
            return send_error(call.response, 400, "kind must be server, client or ca");
        }
    }
    auto views = call.installation.certificates().list(kind);
    if (!views)
        return send_error(call.response, views.error());
    nlohmann::json out = nlohmann::json::array();
    for (const auto& v : *views)
        out.push_back(services::certificate_json(v));
    send_json(call.response, out);
}

// The uploaded `file` of a multipart request, refused when it is missing or over 1 MiB.
Result<httplib::MultipartFormData> uploaded_file(const httplib::Request& request) {
    if (!request.is_multipart_form_data() || !request.has_file("file"))
        return fail(Errc::usage, "send the certificate as multipart/form-data field \"file\"");
    auto file = request.get_file_value("file");
    if (file.content.empty())
        return fail(Errc::usage, "the uploaded file is empty");
    return file;
}

bool too_large(ApiCall& call) {
    // The whole body, before any part of it is looked at (the file plus a little framing).
    if (call.request.body.size() > kMaxCertificateUpload + kMultipartSlack ||
        (call.request.has_file("file") &&
         call.request.get_file_value("file").content.size() > kMaxCertificateUpload)) {
        send_error(call.response, 413, "a certificate file is at most 1 MiB");
        return true;
    }
    return false;
}

std::string label_of(const httplib::MultipartFormData& file) {
    return file.filename.empty() ? std::string("the uploaded file") : file.filename;
}

void upload_server(ApiCall& call) {
    if (too_large(call))
        return;
    auto file = uploaded_file(call.request);
    if (!file)
        return send_error(call.response, file.error());
    Secret password(call.request.has_file("password")
                        ? call.request.get_file_value("password").content
                        : std::string());
    auto report = call.installation.certificates().import_server_bytes(
        file->content, label_of(*file), password, call.actor());
    if (!report)
        return send_error(call.response, report.error());
    send_json(call.response, import_json(*report), 201);
}

void upload_client(ApiCall& call) {
    if (too_large(call))
        return;
    auto file = uploaded_file(call.request);
    if (!file)
        return send_error(call.response, file.error());
    auto report = call.installation.certificates().import_client_bytes(
        file->content, label_of(*file), call.actor());
    if (!report)
        return send_error(call.response, report.error());
    send_json(call.response, import_json(*report), 201);
}

void show(ApiCall& call) {
    auto id = id_parameter(call.request);
    if (!id)
        return send_error(call.response, id.error());
    auto details = call.installation.certificates().show(*id);
    if (!details)
        return send_error(call.response, details.error());
    send_json(call.response, services::certificate_details_json(*details));
}

void remove(ApiCall& call) {
    auto id = id_parameter(call.request);
    if (!id)
        return send_error(call.response, id.error());
    auto removed = call.installation.certificates().remove(*id, call.actor());
    if (!removed)
        return send_error(call.response, removed.error());
    send_json(call.response, services::certificate_json(*removed));
}

// What `cert resolve` says, for the editor's recipient chips: the certificate and where it
// comes from, or why there is none (with the store's certificates for the address, so the page
// can say "expired on ...").
void resolve(ApiCall& call) {
    const std::string address = call.request.get_param_value("address");
    if (address.empty())
        return send_error(call.response, 400, "give the address: ?address=a@example.org");
    auto lookup = call.installation.recipient_lookup().explain(address);
    if (!lookup)
        return send_error(call.response, lookup.error());
    send_json(call.response, services::recipient_certificate_json(*lookup));
}

}  // namespace

void add_certificate_routes(ApiRoutes& routes) {
    routes.get("/api/certificates", Access::admin, list);
    routes.get("/api/certificates/resolve", Access::engineer, resolve);
    routes.post("/api/certificates/server", Access::admin, upload_server);
    routes.post("/api/certificates/client", Access::admin, upload_client);
    routes.get(R"(/api/certificates/(\d+))", Access::admin, show);
    routes.del(R"(/api/certificates/(\d+))", Access::admin, remove);
}

}  // namespace casecrypt::web
