#include "services/send_report_codec.h"

#include <nlohmann/json.hpp>

#include "core/iso_time.h"
#include "core/json_text.h"

namespace casecrypt::services {
namespace {

// Reports written before the decision was typed carry only the sentence; its words decide.
SendDecision decision_of(const nlohmann::json& j) {
    const std::string sentence = j.value("decision", "");
    if (j.value("rejected", false))
        return SendDecision::rejected;
    if (sentence == "queued again")
        return SendDecision::queued_again;
    if (j.value("encrypted", false))
        return SendDecision::encrypted;
    if (sentence.find("no certificate") != std::string::npos)
        return SendDecision::unencrypted_missing_certificate;
    if (sentence.find("switched off") != std::string::npos)
        return SendDecision::unencrypted_switched_off;
    return SendDecision::unencrypted_not_requested;
}

RecipientKind kind_of(const std::string& word) {
    if (word == "cc")
        return RecipientKind::cc;
    if (word == "bcc")
        return RecipientKind::bcc;
    return RecipientKind::to;
}

RecipientOutcome outcome_of(const std::string& word) {
    for (auto o :
         {RecipientOutcome::encrypted, RecipientOutcome::unencrypted_no_certificate,
          RecipientOutcome::unencrypted_other_lacks_certificate,
          RecipientOutcome::unencrypted_not_requested, RecipientOutcome::rejected_no_certificate,
          RecipientOutcome::rejected_other_lacks_certificate, RecipientOutcome::no_certificate}) {
        if (to_string(o) == word)
            return o;
    }
    return RecipientOutcome::no_certificate;
}

UsedCertificate::Source source_of(const std::string& word) {
    if (word == "server")
        return UsedCertificate::Source::server;
    if (word == "ldap")
        return UsedCertificate::Source::ldap;
    return UsedCertificate::Source::store;
}

}  // namespace

std::string send_report_json(const SendReport& r) {
    nlohmann::json recipients = nlohmann::json::array();
    for (const auto& rec : r.recipients) {
        nlohmann::json certificate = nullptr;
        if (rec.certificate) {
            certificate = {{"id", rec.certificate->id},
                           {"fingerprint_sha256", rec.certificate->fingerprint_sha256},
                           {"source", to_string(rec.certificate->source)},
                           {"serial", rec.certificate->serial},
                           {"not_after", to_iso8601(rec.certificate->not_after)}};
        }
        recipients.push_back({{"address", rec.address},
                              {"kind", to_string(rec.kind)},
                              {"outcome", to_string(rec.outcome)},
                              {"certificate", certificate}});
    }
    nlohmann::json j = {{"mail_id", r.mail_id},     {"encrypted", r.encrypted},
                        {"rejected", r.rejected()}, {"decision", r.sentence},
                        {"recipients", recipients}, {"outbox_ids", r.outbox_ids}};
    if (r.missing_certificate_policy)
        j["missing_certificate_policy"] = *r.missing_certificate_policy;
    return json_text(j);
}

std::optional<SendReport> parse_send_report(std::string_view text) {
    auto j = nlohmann::json::parse(text, nullptr, false);
    if (j.is_discarded() || !j.is_object() || !j.contains("mail_id"))
        return std::nullopt;
    try {
        SendReport r;
        r.mail_id = j.value("mail_id", "");
        r.decision = decision_of(j);
        r.encrypted = j.value("encrypted", false);
        r.sentence = j.value("decision", "");
        if (j.contains("missing_certificate_policy") && j["missing_certificate_policy"].is_string())
            r.missing_certificate_policy = j["missing_certificate_policy"].get<std::string>();
        for (const auto& rec : j.value("recipients", nlohmann::json::array())) {
            RecipientReport out;
            out.address = rec.value("address", "");
            out.kind = kind_of(rec.value("kind", ""));
            out.outcome = outcome_of(rec.value("outcome", ""));
            const auto& c = rec.contains("certificate") ? rec["certificate"] : nlohmann::json();
            if (c.is_object()) {
                UsedCertificate used;
                used.id = c.value("id", 0LL);
                used.fingerprint_sha256 = c.value("fingerprint_sha256", "");
                used.serial = c.value("serial", "");
                used.not_after = from_iso8601(c.value("not_after", "")).value_or(TimePoint{});
                used.source = source_of(c.value("source", ""));
                out.certificate = std::move(used);
            }
            r.recipients.push_back(std::move(out));
        }
        for (const auto& id : j.value("outbox_ids", nlohmann::json::array()))
            r.outbox_ids.push_back(id.get<long long>());
        return r;
    } catch (const nlohmann::json::exception&) {
        return std::nullopt;  // a report of some other shape
    }
}

}  // namespace casecrypt::services
