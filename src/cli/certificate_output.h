// How certificates are shown: the JSON object of `cert list --json` / `cert show --json`
// (keep its field names: scripts read them) and the table an administrator scans.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "services/certificate_view.h"

namespace casecrypt::cli {

nlohmann::json certificate_json(const services::CertificateView& view);
// `cert show --json`: certificate_json plus "chain".
nlohmann::json certificate_details_json(const services::CertificateDetails& details);
std::string certificate_table(const std::vector<services::CertificateView>& views);
std::string certificate_details(const services::CertificateDetails& details);

}  // namespace casecrypt::cli
