#include "cli/text_table.h"

#include <algorithm>

#include "core/text.h"

namespace casecrypt::cli {

std::string text_table(const std::vector<std::string>& header,
                       const std::vector<std::vector<std::string>>& rows) {
    // Widths in characters, not bytes: a subject in UTF-8 must not push its column out.
    const auto width = [](const std::string& cell) {
        return static_cast<std::size_t>(
            std::count_if(cell.begin(), cell.end(), [](char c) { return (c & 0xC0) != 0x80; }));
    };
    std::vector<std::size_t> widths(header.size());
    for (std::size_t i = 0; i < header.size(); ++i) {
        widths[i] = width(header[i]);
        for (const auto& row : rows) {
            if (i < row.size())
                widths[i] = std::max(widths[i], width(row[i]));
        }
    }
    std::string out;
    const auto print = [&](const std::vector<std::string>& row) {
        std::string line;
        for (std::size_t i = 0; i < row.size(); ++i) {
            line += row[i];
            if (i + 1 < row.size() && i < widths.size())
                line += std::string(widths[i] - std::min(widths[i], width(row[i])) + 2, ' ');
        }
        out += line + "\n";
    };
    print(header);
    for (const auto& row : rows)
        print(row);
    return out;
}

}  // namespace casecrypt::cli
