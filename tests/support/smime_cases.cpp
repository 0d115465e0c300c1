#include "support/smime_cases.h"

#include <cctype>
#include <fstream>
#include <sstream>

namespace casecrypt::test {

std::vector<SmimeCase> load_smime_cases(const std::filesystem::path& fixtures) {
    std::vector<SmimeCase> cases;
    std::ifstream in(fixtures / "smime" / "cases.tsv");
    std::string line;
    std::getline(in, line);  // the header
    while (std::getline(in, line)) {
        std::vector<std::string> f;
        std::stringstream stream(line);
        std::string field;
        while (std::getline(stream, field, '\t'))
            f.push_back(field);
        if (f.size() < 12)
            continue;
        cases.push_back({f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7], f[8], f[9], f[10], f[11]});
    }
    return cases;
}

std::string smime_case_name(int index, const SmimeCase& row) {
    std::string name = std::to_string(index) + "_" + row.file;
    for (char& ch : name) {
        if (!std::isalnum(static_cast<unsigned char>(ch)))
            ch = '_';
    }
    return name;
}

}  // namespace casecrypt::test
