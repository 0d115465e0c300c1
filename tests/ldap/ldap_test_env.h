// What the LDAP tests share: where the `slapd` CTest fixtures put their servers
// (tests/harness/slapd.sh) and the fixtures of make-ldap-fixtures.sh, and settings for them.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "ldap/ldap_directory.h"

namespace casecrypt::ldap::test {

inline constexpr const char* kBaseDn = "dc=example,dc=test";
inline constexpr const char* kReaderDn = "cn=reader,dc=example,dc=test";
inline constexpr const char* kReaderPassword = "readerpw";

// $name as a path; aborts the test program when ctest did not set it.
inline std::filesystem::path env_dir(const char* name) {
    const char* value = std::getenv(name);
    if (value == nullptr || *value == '\0') {
        ADD_FAILURE() << name << " is not set (ctest sets it)";
        return {};
    }
    return value;
}

inline std::string read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    EXPECT_TRUE(in) << "cannot read " << path;
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

inline std::string first_line(const std::filesystem::path& path) {
    std::ifstream in(path);
    std::string line;
    std::getline(in, line);
    return line;
}

// The certificates and LDIF of make-ldap-fixtures.sh.
inline std::filesystem::path fixture(const std::string& name) {
    return env_dir("CASECRYPT_LDAP_FIXTURES") / name;
}

// The plain slapd (no TLS at all) and the one that also offers StartTLS and ldaps://.
inline std::filesystem::path slapd_dir() {
    return env_dir("CASECRYPT_TEST_SLAPD_DIR");
}
inline std::filesystem::path slapd_tls_dir() {
    return env_dir("CASECRYPT_TEST_SLAPD_TLS_DIR");
}

// Anonymous settings for a server, entries under kBaseDn, 5 s timeout.
inline LdapSettings settings_for(const std::string& url) {
    LdapSettings s;
    s.url = url;
    s.base_dn = kBaseDn;
    return s;
}

}  // namespace casecrypt::ldap::test
