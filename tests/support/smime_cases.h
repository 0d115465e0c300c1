// The rows of smime/cases.tsv that tests/data/make-smime-fixtures.sh writes (see
// tests/data/README.md for the columns): one S/MIME mail made by openssl or gpgsm and what a
// correct program does with it.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace casecrypt::test {

struct SmimeCase {
    std::string file, p12, password_file, expect, text, error, cipher, integrity, signature, signer,
        subject, description;
};

// Every row of <fixtures>/smime/cases.tsv (empty when the file is missing).
std::vector<SmimeCase> load_smime_cases(const std::filesystem::path& fixtures);

// A gtest parameter name for a row ("3_smime_03_aes256_gcm_eml").
std::string smime_case_name(int index, const SmimeCase& row);

}  // namespace casecrypt::test
