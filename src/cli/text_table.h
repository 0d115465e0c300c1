// text_table: the CLI's listings as aligned columns under a header row, the way `ls -l` or
// `git branch -v` read: every column but the last padded to its widest cell and two spaces.
// Cells are printed as given (escape strangers' values first, with `shown`).
#pragma once

#include <string>
#include <vector>

namespace casecrypt::cli {

std::string text_table(const std::vector<std::string>& header,
                       const std::vector<std::vector<std::string>>& rows);

}  // namespace casecrypt::cli
