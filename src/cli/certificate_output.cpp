#include "cli/certificate_output.h"

#include <sstream>

#include "cli/text_table.h"
#include "core/iso_time.h"
#include "core/text.h"

namespace casecrypt::cli {

std::string certificate_table(const std::vector<services::CertificateView>& views) {
    const std::vector<std::string> header = {"ID",         "KIND",     "ADDRESSES", "SERIAL",
                                             "VALID FROM", "VALID TO", "STATUS",    "KEY"};
    std::vector<std::vector<std::string>> rows;
    for (const auto& c : views) {
        // A CA has no addresses: its subject says what it is.
        const std::string names =
            c.kind == services::CertificateKind::ca ? c.subject : join(c.addresses, ",");
        rows.push_back({std::to_string(c.id), to_string(c.kind), names, c.serial,
                        to_date(c.not_before), to_date(c.not_after), to_string(c.status),
                        c.key_description});
    }
    std::string out = text_table(header, rows);
    if (rows.empty()) {
        out += "(no certificates)\n";
    }
    return out;
}

std::string certificate_details(const services::CertificateDetails& details) {
    const services::CertificateView& c = details.certificate;
    std::ostringstream out;
    out << "id:           " << c.id << "\n"
        << "kind:         " << to_string(c.kind) << "\n"
        << "addresses:    " << join(c.addresses, ", ") << "\n"
        << "subject:      " << c.subject << "\n"
        << "issuer:       " << c.issuer << "\n"
        << "serial:       " << c.serial << "\n"
        << "valid from:   " << to_iso8601(c.not_before) << "\n"
        << "valid to:     " << to_iso8601(c.not_after) << "\n"
        << "status:       " << to_string(c.status) << "\n"
        << "key:          " << c.key_description << "\n"
        << "sha256:       " << c.fingerprint_sha256 << "\n"
        << "source:       " << to_string(c.source) << "\n"
        << "private key:  " << (c.has_private_key ? "held (sealed; never shown)" : "none") << "\n"
        << "imported:     " << to_iso8601(c.created_at) << " by " << c.created_by << "\n";
    for (const auto& e : details.chain) {
        out << "chain:        " << e.subject << " (serial " << e.serial << ", valid to "
            << to_date(e.not_after) << ")\n";
    }
    return out.str();
}

}  // namespace casecrypt::cli
