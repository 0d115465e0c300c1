// How certificates are shown: the JSON object of `cert list --json` / `cert show --json`
// (keep its field names: scripts read them) and the table an administrator scans.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/clock.h"
#include "store/certificate_record.h"

namespace casecrypt::cli {

nlohmann::json certificate_json(const store::CertificateRecord& record, TimePoint now);
std::string certificate_table(const std::vector<store::CertificateRecord>& records, TimePoint now);
std::string certificate_details(const store::CertificateRecord& record, TimePoint now,
                                const std::vector<store::CertificateRecord>& chain);

}  // namespace casecrypt::cli
