// How certificates are shown as text: the table an administrator scans and the details of one
// (their JSON is services/view_json.h).
#pragma once

#include <string>
#include <vector>

#include "services/certificate_view.h"

namespace casecrypt::cli {

std::string certificate_table(const std::vector<services::CertificateView>& views);
std::string certificate_details(const services::CertificateDetails& details);

}  // namespace casecrypt::cli
