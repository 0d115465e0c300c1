#include "cli/certificate_output.h"

#include <algorithm>
#include <sstream>

#include "core/iso_time.h"
#include "core/text.h"
#include "services/certificate_admin.h"

namespace casecrypt::cli {
nlohmann::json certificate_json(const store::CertificateRecord& r, TimePoint now) {
    return nlohmann::json{
        {"id", r.id},
        {"kind", store::to_string(r.kind)},
        {"addresses", r.addresses},
        {"subject", r.subject},
        {"issuer", r.issuer},
        {"serial", r.serial},
        {"not_before", to_iso8601(r.not_before)},
        {"not_after", to_iso8601(r.not_after)},
        {"fingerprint_sha256", r.fingerprint_sha256},
        {"key", r.key_description},
        {"source", store::to_string(r.source)},
        {"status", services::certificate_status(r, now)},
        {"has_private_key", r.has_private_key},
        {"created_at", to_iso8601(r.created_at)},
        {"created_by", r.created_by},
    };
}

std::string certificate_table(const std::vector<store::CertificateRecord>& records, TimePoint now) {
    const std::vector<std::string> header = {"ID",         "KIND",     "ADDRESSES", "SERIAL",
                                             "VALID FROM", "VALID TO", "STATUS",    "KEY"};
    std::vector<std::vector<std::string>> rows;
    for (const auto& r : records) {
        rows.push_back({std::to_string(r.id), store::to_string(r.kind), join(r.addresses, ","),
                        r.serial, to_date(r.not_before), to_date(r.not_after),
                        services::certificate_status(r, now), r.key_description});
    }
    std::vector<std::size_t> widths(header.size());
    for (std::size_t i = 0; i < header.size(); ++i) {
        widths[i] = header[i].size();
        for (const auto& row : rows) {
            widths[i] = std::max(widths[i], row[i].size());
        }
    }
    std::ostringstream out;
    auto print = [&](const std::vector<std::string>& row) {
        std::string line;
        for (std::size_t i = 0; i < row.size(); ++i) {
            line += row[i];
            if (i + 1 < row.size()) {
                line += std::string(widths[i] - row[i].size() + 2, ' ');
            }
        }
        out << line << "\n";
    };
    print(header);
    for (const auto& row : rows) {
        print(row);
    }
    if (rows.empty()) {
        out << "(no certificates)\n";
    }
    return out.str();
}

std::string certificate_details(const store::CertificateRecord& r, TimePoint now,
                                const std::vector<store::CertificateRecord>& chain) {
    std::ostringstream out;
    out << "id:           " << r.id << "\n"
        << "kind:         " << store::to_string(r.kind) << "\n"
        << "addresses:    " << join(r.addresses, ", ") << "\n"
        << "subject:      " << r.subject << "\n"
        << "issuer:       " << r.issuer << "\n"
        << "serial:       " << r.serial << "\n"
        << "valid from:   " << to_iso8601(r.not_before) << "\n"
        << "valid to:     " << to_iso8601(r.not_after) << "\n"
        << "status:       " << services::certificate_status(r, now) << "\n"
        << "key:          " << r.key_description << "\n"
        << "sha256:       " << r.fingerprint_sha256 << "\n"
        << "source:       " << store::to_string(r.source) << "\n"
        << "private key:  " << (r.has_private_key ? "held (sealed; never shown)" : "none") << "\n"
        << "imported:     " << to_iso8601(r.created_at) << " by " << r.created_by << "\n";
    for (const auto& c : chain) {
        out << "chain:        " << c.subject << " (serial " << c.serial << ", valid to "
            << to_date(c.not_after) << ")\n";
    }
    return out.str();
}

}  // namespace casecrypt::cli
