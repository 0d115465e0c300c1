// Imports every certificate and PKCS #12 file of the external interoperability corpus
// (/work/shared/corpus, see its MANIFEST.md and MANIFEST-files.tsv) with the real `casecrypt`
// binary and checks the outcome the manifest expects. None of these files was made by us, so
// the test cannot agree with a bug of ours (STYLE.md rule 10).
//
// The corpus folder comes from $CASECRYPT_CORPUS; without it the tests are skipped. The binary
// comes from $CASECRYPT_BIN (tests/support/run_cli.h). Each file gets its own data directory.
// The files are imported in parallel ($CASECRYPT_CORPUS_JOBS, default: the number of cores,
// 2..8) and checked afterwards on the test thread; $CASECRYPT_CORPUS_VERBOSE=1 prints one line
// per file, $CASECRYPT_CORPUS_DUMP_MAPPING=1 prints the mapping below as computed.
//
// What every run must show: no signal, no sanitizer report ("Sanitizer", "runtime error:"),
// exit code 0, 1 or 3 (never ASan's 86 or UBSan's 87), and when it is 3 a stderr starting
// "error: " with a sentence. Then, per category:
//
//   pkcs12-valid      `cert import-server FILE --password-file` with the manifest's password:
//                     exit 0 and `cert list --json` shows a server certificate with addresses,
//                     or exit 3 for a policy reason (no address, cannot encrypt, too short,
//                     keyUsage, extendedKeyUsage, not valid before, and for files that hold no
//                     identity "contains no private key" / "matches no certificate"), never
//                     "password is wrong", "not a PKCS #12 file" or "cannot be decoded".
//                     The Thunderbird identities must import with their address (they expire
//                     2031).
//   pkcs12-pbmac1     the same, or exit 3 saying PBMAC1 (OpenSSL 3.0 cannot check RFC 9579).
//   pkcs12-malformed  exit 3.
//   cert-valid        `cert import-client FILE`: exit 0 and `cert list --json` shows a client
//                     certificate with addresses, or exit 3 for a policy reason (the list above
//                     plus "is a CA certificate", "expired on"); never "contains no X.509
//                     certificate" (the manifest says the file parses).
//   cert-malformed    exit 3 (the report says whether the parser or only the policy refused).
//   cert-lenient      exit 0 or 3: the manifest records an interoperability difference, not a
//                     single expected result.
//   not-certificate   a CRL, CSR or private key offered to `cert import-client`: exit 3.
//   (not tried)       messages, CMS blobs, documentation, gpg-agent keys, verification records.
//
// The password of a PKCS #12 is the one quoted in its `what` column ("password 'nss'"); files
// without one (Botan's .pfx, java-truststore.p12) use the empty password, as MANIFEST.md says.
//
// Mapping of `what` values (MANIFEST-files.tsv column 5) to categories. Where one `what` covers
// several kinds of file, the file decides: .p12/.pfx are PKCS #12; PEM files holding no
// CERTIFICATE/PKCS7 block, .crl/.csr/.key/.pri files and DER files named *crl* are
// not-certificate; otherwise the `expected` column decides between valid ("parse", "imports",
// ...), malformed ("MUST be rejected ...", "reject ...") and lenient (see kLenientFiles and
// kLenientExpectations below, and rows where OpenSSL itself failed to parse: PARSE-FAIL).
//
//   pkcs12-valid:
//     PKCS#12 (NSS pk12util), password 'nss'
//     PKITS PKCS#12 (3DES), password 'password'
//     PKCS#12 (pyca / OpenSSL-made), password 'cryptography' | 'password' | ''
//     PKCS#12 (pyca / OpenSSL-made), password 'cryptography' (RC2-40 certs: legacy)
//     PKCS#12 (pyca / OpenSSL-made), password '' (RC2-40 certs: legacy)
//     PKCS#12 without MAC, password 'testpassword'
//     PKCS#12 made by OpenSSL (3DES), password 'test123'
//     PKCS#12 made by OpenSSL (AES-256), password 'test123'
//     Java keytool truststore PKCS#12 (2 trusted certs, Oracle trust attr), empty password
//     PFX with plain KeyBag (no MAC)
//     PFX with SafeContentsBag wrapping a CertBag
//     PFX with CRLBag                       (expected "skip unknown bag")
//     PFX with SecretBag                    (expected "skip unknown bag, still import cert")
//     PKCS#12 (MimeKit test CA hierarchy, OpenSSL-made), password 'no.secret' (RC2-40 cert bags)
//     PKCS#12, password 'no.secret' (RC2-40 legacy)
//     DERIVED by corpus builder: gpgsm 2.2.40 --export-secret-key-p12 ... (password 'kdetest')
//   pkcs12-pbmac1:
//     RFC 9579 PBMAC1 PKCS#12 (good), password '1234'
//     PKCS#12 with RFC 9579 PBMAC1 MAC (OpenSSL-made | BC JSSE-made), password 'xxxxxx'
//   pkcs12-malformed:
//     malformed PKCS#12 (fuzz regression)
//     RFC 9579 PBMAC1 PKCS#12 with malformed MAC params, password '1234' (CVE-2025-11187 / ...)
//     PFX with version=2                    ("MUST be rejected (version must be 3)")
//     PFX with excessively nested SafeContentsBags ("MUST be rejected (depth limit)")
//     PFX whose AuthenticatedSafe uses EnvelopedData ("reject (unsupported) cleanly")
//     PFX whose key does not match its cert ("parse; no end-entity pairing": no identity)
//   cert-valid:
//     PKITS certificate (DER)
//     X.509 cert/CRL/CSR (pyca vectors)     (certificates whose expected is not below)
//     x509test chain (leaf first) - TLS-oriented path test
//     X.509 cert / CRL (DER; various real CAs; authority/betsy/bull use MD2)
//     OpenSSL S/MIME test cert (+ key in same file)
//     OpenSSL test cert/key (...; PKITS TA); recipient cert/key for *-malformed.der
//     misc X.509 (teletex/BMPString DNs, RSA-OAEP/PSS SPKI, multi-valued RDN, cert SEQUENCE)
//     serial-number edge cases (negative, zero, 20/21 octets)
//     v1 certificate carrying v2 unique identifiers
//     CurveBall (CVE-2020-0601) spoofed explicit-curve CA
//     gzip'ed X.509 (1.6 MB cert with huge name-constraints; ...) (gunzipped into a temp dir)
//     RFC 4134 certificate (DER; notAfter 2039); RFC 9216 certificate (no trailing newline)
//     PQC certificate sample text (...) from IETF drafts/RFC 9881
//     EC CA cert/key matching pkcs12/*.p12 contents; M2Crypto test cert/data
//     cert with long serial; cert with 100-year validity (2016-2116)
//     StartCom CA certs for thunderbird-signed.txt; X.509 CA cert (NSS Test CA (RSA))
//     signer cert for signed-opaque.msg (expired 2026-01-05); CA cert; EE cert (DER, expired 2018)
//     PKCS#7 certs-only; PKCS#7 certs-only (DER); PKCS#7 certs-only (PEM)
//     RFC 4134 example: SignedData certificates-only (degenerate)
//     DERIVED by corpus builder: ... (the exported certificate .pem)
//   cert-malformed (pyca, expected "MUST be rejected ..." or "reject ..."):
//     long-form-name-attribute, invalid_utf8_common_name, mismatch_inner_outer_sig_algorithm,
//     rsa_pss_cert_invalid_mgf, rsa_pss_cert_no_sig_params, two_basic_constraints,
//     ec_no_named_curve, cp_invalid, cp_invalid2, nc_invalid_ip_netmask, nc_invalid_ip4_netmask,
//     nc_ip_invalid_length, invalid_version
//   cert-lenient:
//     pyca expected "bad ASN.1 time encoding", "bad SCT extension", "bad SCT version",
//     "unsupported MGF hash"; pyca cryptography-scts-tbs-precert.der (a TBSCertificate, OpenSSL
//     PARSE-FAIL); botan misc/cert_seq.der (a SEQUENCE of certificates); openssl/test/pkcs7.pem
//     and m2crypto der_encoded_seq.b64 (bare base64, neither PEM nor DER).
//   not-certificate:
//     PKITS CRL (DER); RFC 4134 CRL (DER); RFC 4134 private key (PKCS#8 DER, unencrypted)
//     RFC 9216 private key (PKCS#8, unencrypted); private key; CA key (PEM); CSR
//     RSA key (traditional PEM, 3DES), password 'no.secret'
//     the CRLs, CSRs and keys among the pyca, libksba, OpenSSL, M2Crypto and Botan groups above
//   not tried: every S/MIME message, CMS/PKCS#7 message, .eml/.mbox/.msg/.env/.bin (except
//     RFC 4134 4.11), ASN.1 dumps, .tree, .md, .txt, README, gpg-agent keys, keybox, and the
//     _verification folder.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "corpus/corpus_manifest.h"
#include "support/run_cli.h"

namespace casecrypt::test {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// Exit codes of the CLI contract (src/cli/main.cpp).
constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitRejected = 3;
// One file must not take longer than this (the BC mal-*.crt "must not hang"); generous for
// sanitizer builds on a loaded machine.
constexpr std::chrono::seconds kMaxSecondsPerFile{30};

// The manifest (Row, manifest(), find_row(), SKIP_WITHOUT_CORPUS) is in corpus_manifest.h.

// ---------------------------------------------------------------------------------------------
// Classification

enum class Category {
    pkcs12_valid,
    pkcs12_pbmac1,
    pkcs12_malformed,
    cert_valid,
    cert_malformed,
    cert_lenient,
    not_certificate,
    not_tried,
};

std::string_view to_string(Category c) {
    switch (c) {
        case Category::pkcs12_valid:
            return "pkcs12-valid";
        case Category::pkcs12_pbmac1:
            return "pkcs12-pbmac1";
        case Category::pkcs12_malformed:
            return "pkcs12-malformed";
        case Category::cert_valid:
            return "cert-valid";
        case Category::cert_malformed:
            return "cert-malformed";
        case Category::cert_lenient:
            return "cert-lenient";
        case Category::not_certificate:
            return "not-certificate";
        case Category::not_tried:
            return "not-tried";
    }
    return "?";
}

// `what` values (prefixes) whose files hold certificates, CRLs, CSRs or keys; everything else
// in the corpus is a message, a CMS blob or documentation and is not tried.
constexpr std::string_view kCertificateGroups[] = {
    "PKITS certificate (DER)",
    "PKITS CRL (DER)",
    "X.509 cert/CRL/CSR (pyca vectors)",
    "x509test chain (leaf first)",
    "X.509 cert / CRL (DER; various real CAs",
    "OpenSSL S/MIME test cert",
    "OpenSSL test cert/key",
    "recipient cert/key for",
    "misc X.509",
    "serial-number edge cases",
    "v1 certificate carrying v2 unique identifiers",
    "CurveBall",
    "gzip'ed X.509",
    "RFC 4134 certificate",
    "RFC 4134 CRL",
    "RFC 4134 private key",
    "RFC 4134 example: SignedData certificates-only",
    "RFC 9216 certificate",
    "RFC 9216 private key",
    "PQC certificate sample text",
    "EC CA cert/key",
    "M2Crypto test cert/data",
    "cert with long serial",
    "cert with 100-year validity",
    "private key",
    "StartCom CA certs",
    "X.509 CA cert",
    "signer cert for",
    "CA cert",
    "EE cert",
    "CA key",
    "RSA key",
    "CSR",
    "PKCS#7 certs-only",
    "1996 VeriSign PKCS#7 certs bag",
    "DERIVED by corpus builder",
};

// Files whose expected result is an interoperability difference rather than one outcome.
struct LenientFile {
    std::string_view path;
    std::string_view why;
};
constexpr LenientFile kLenientFiles[] = {
    {"pyca-cryptography-vectors/x509/cryptography-scts-tbs-precert.der",
     "a TBSCertificate of a precertificate, not a Certificate (OpenSSL: PARSE-FAIL)"},
    {"botan/x509/misc/cert_seq.der", "a SEQUENCE of certificates, not one certificate"},
    {"openssl/test/pkcs7.pem", "bare base64 without PEM armour (neither PEM nor DER)"},
    {"m2crypto/tests/der_encoded_seq.b64", "bare base64 of a SEQUENCE of certificates"},
};
constexpr std::string_view kLenientExpectations[] = {
    "bad ASN.1 time encoding",
    "bad SCT extension",
    "bad SCT version",
    "unsupported MGF hash",
};

bool is_certificate_group(const Row& row) {
    return std::any_of(std::begin(kCertificateGroups), std::end(kCertificateGroups),
                       [&](std::string_view g) { return starts_with(row.what, g); });
}

std::string extension_of(const std::string& path) {
    fs::path p(path);
    if (lower(p.extension().string()) == ".gz") {
        p = p.stem();
    }
    return lower(p.extension().string());
}

bool is_pkcs12_path(const std::string& path) {
    const auto ext = extension_of(path);
    return ext == ".p12" || ext == ".pfx";
}

std::string read_head(const fs::path& file, std::size_t limit = 1 << 20) {
    std::ifstream in(file, std::ios::binary);
    std::string data(limit, '\0');
    in.read(data.data(), static_cast<std::streamsize>(limit));
    data.resize(static_cast<std::size_t>(in.gcount()));
    return data;
}

bool holds_certificate_pem(std::string_view text) {
    return contains(text, "-----BEGIN CERTIFICATE-----") ||
           contains(text, "-----BEGIN X509 CERTIFICATE-----") ||
           contains(text, "-----BEGIN TRUSTED CERTIFICATE-----") ||
           contains(text, "-----BEGIN PKCS7-----");
}

// Which of a certificate group's files is not a certificate at all: by extension, by name
// (pyca and libksba CRLs are crl_*), and for PEM files by their blocks.
bool is_not_certificate(const Row& row, const fs::path& corpus) {
    const auto ext = extension_of(row.path);
    if (ext == ".crl" || ext == ".csr" || ext == ".key" || ext == ".pri") {
        return true;
    }
    const std::string name = lower(fs::path(row.path).filename().string());
    if (fs::path(row.path).extension() == ".gz") {
        return false;
    }
    const std::string head = read_head(corpus / row.path);
    if (contains(head, "-----BEGIN ")) {
        return !holds_certificate_pem(head);
    }
    return starts_with(name, "crl_") || starts_with(row.what, "private key");
}

Category classify(const Row& row, const fs::path& corpus) {
    const std::string name = fs::path(row.path).filename().string();
    if (starts_with(row.path, "_verification/")) {
        return Category::not_tried;
    }
    if (is_pkcs12_path(row.path)) {
        const bool must_reject = contains(row.expected, "MUST be rejected") ||
                                 starts_with(row.expected, "reject") ||
                                 contains(row.expected, "no end-entity pairing");
        if (contains(row.what, "PBMAC1")) {
            return must_reject ? Category::pkcs12_malformed : Category::pkcs12_pbmac1;
        }
        return must_reject ? Category::pkcs12_malformed : Category::pkcs12_valid;
    }
    if (!is_certificate_group(row)) {
        return Category::not_tried;
    }
    const auto ext = extension_of(row.path);
    if (name == "README" || ext == ".txt" || ext == ".md") {
        return Category::not_tried;
    }
    if (is_not_certificate(row, corpus)) {
        return Category::not_certificate;
    }
    if (starts_with(row.expected, "MUST be rejected") || starts_with(row.expected, "reject")) {
        return Category::cert_malformed;
    }
    const bool lenient_file = std::any_of(std::begin(kLenientFiles), std::end(kLenientFiles),
                                          [&](const LenientFile& f) { return f.path == row.path; });
    const bool lenient_expectation =
        std::any_of(std::begin(kLenientExpectations), std::end(kLenientExpectations),
                    [&](std::string_view e) { return row.expected == e; });
    if (lenient_file || lenient_expectation || contains(row.openssl, "PARSE-FAIL")) {
        return Category::cert_lenient;
    }
    return Category::cert_valid;
}

// "password 'nss'" in the `what` column; the empty password otherwise (MANIFEST.md: Botan's
// malformed .pfx files and java-truststore.p12 use an empty one).
std::string password_for(const Row& row) {
    const auto at = row.what.find("password '");
    if (at == std::string::npos) {
        return {};
    }
    const auto start = at + std::string_view("password '").size();
    const auto end = row.what.find('\'', start);
    return end == std::string::npos ? std::string() : row.what.substr(start, end - start);
}

// The Thunderbird identities that must import, with the address their certificate carries
// (`openssl pkcs12 -info -nokeys -passin pass:nss`: emailAddress in the subject; the store
// lower-cases addresses).
const std::map<std::string, std::string>& thunderbird_identities() {
    static const std::map<std::string, std::string> identities = {
        {"thunderbird-comm-central/smime/Alice.p12", "alice@example.com"},
        {"thunderbird-comm-central/smime/Alice-ec.p12", "alice-ec@example.com"},
        {"thunderbird-comm-central/smime/Bob.p12", "bob@example.com"},
        {"thunderbird-comm-central/smime/Dave.p12", "dave@example.com"},
        {"thunderbird-comm-central/smime/Eve.p12", "eve@example.com"},
        {"thunderbird-comm-central/smime/Fran.p12", "fran@example.com"},
        {"thunderbird-comm-central/smime/Fran-ec.p12", "fran-ec@example.com"},
        {"thunderbird-comm-central/smime-interop/Fran.p12", "fran@example.com"},
        {"thunderbird-comm-central/smime-interop/Fran-ec.p12", "fran-ec@example.com"},
    };
    return identities;
}

// ---------------------------------------------------------------------------------------------
// Reasons in the CLI's error sentences

struct ReasonPattern {
    std::string_view key;
    std::string_view needle;
    bool policy;       // a legitimate refusal of a well-formed file
    bool pkcs12_only;  // legitimate only for import-server
};

constexpr ReasonPattern kReasons[] = {
    {"no-email", "carries no email address", true, false},
    {"no-email", "matches no certificate carrying an email address", true, true},
    {"ca-certificate", "is a CA certificate", true, false},
    {"cannot-encrypt", "cannot encrypt", true, false},
    {"rsa-too-short", "too short", true, false},
    {"keyUsage", "keyUsage that does not allow", true, false},
    {"extendedKeyUsage", "extendedKeyUsage that does not include", true, false},
    {"expired", "expired on", true, false},
    {"not-yet-valid", "not valid before", true, false},
    {"no-private-key", "contains no private key", true, true},
    {"key-matches-no-certificate", "matches no certificate in the file", true, true},
    {"pbmac1", "PBMAC1", false, true},
    {"wrong-password", "password is wrong", false, false},
    {"not-pkcs12", "not a PKCS #12 file", false, false},
    {"is-pkcs12", "is a PKCS #12 file", false, false},
    {"no-certificate-found", "contains no X.509 certificate", false, false},
    {"pkcs12-undecodable", "cannot be decoded", false, false},
};

// The "error: " line, with the file's path taken out so a name like crl_expired.pem cannot
// look like a reason.
std::string error_sentence(const std::string& err, const std::string& file) {
    std::istringstream lines(err);
    std::string line;
    std::string out;
    while (std::getline(lines, line)) {
        if (starts_with(line, "error: ")) {
            out += line + "\n";
        }
    }
    for (std::size_t at; !file.empty() && (at = out.find(file)) != std::string::npos;) {
        out.replace(at, file.size(), "FILE");
    }
    return out;
}

// All reasons found, the earliest-mentioned first.
std::vector<const ReasonPattern*> reasons_in(const std::string& sentence) {
    std::vector<std::pair<std::size_t, const ReasonPattern*>> found;
    for (const auto& r : kReasons) {
        if (const auto at = sentence.find(r.needle); at != std::string::npos) {
            found.emplace_back(at, &r);
        }
    }
    std::sort(found.begin(), found.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    std::vector<const ReasonPattern*> out;
    for (const auto& [at, r] : found) {
        out.push_back(r);
    }
    return out;
}

std::string primary_reason(const std::string& sentence) {
    const auto reasons = reasons_in(sentence);
    return reasons.empty() ? std::string("other") : std::string(reasons.front()->key);
}

// ---------------------------------------------------------------------------------------------
// Running the CLI

struct Attempt {
    const Row* row = nullptr;
    Category category = Category::not_tried;
    std::vector<std::string> args;  // the import command, for failure messages
    CliResult import;
    std::optional<CliResult> list;  // `cert list --json` after a successful import
    std::string error;              // the test's own trouble (gunzip, temp dir)
    std::string file;               // the path given to the CLI
    double seconds = 0;
};

std::string shell_quote(const std::string& s) {
    std::string out = "'";
    for (char c : s) {
        out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    }
    return out + "'";
}

// Decompresses with the system's gzip into dir; the corpus stays untouched.
std::optional<fs::path> gunzip(const fs::path& gz, const fs::path& dir, std::string& error) {
    const fs::path out = dir / gz.stem();
    const std::string command =
        "gzip -dc " + shell_quote(gz.string()) + " > " + shell_quote(out.string()) + " 2>&1";
    FILE* pipe = ::popen(command.c_str(), "r");
    if (pipe == nullptr) {
        error = "popen(gzip) failed";
        return std::nullopt;
    }
    std::string output;
    char buffer[512];
    while (std::fgets(buffer, sizeof buffer, pipe) != nullptr) {
        output += buffer;
    }
    const int status = ::pclose(pipe);
    if (status != 0) {
        error = "gzip -dc " + gz.string() + " failed: " + output;
        return std::nullopt;
    }
    return out;
}

Attempt attempt(const Row& row, Category category, const fs::path& corpus,
                const std::optional<std::string>& password_override = std::nullopt) {
    Attempt a;
    a.row = &row;
    a.category = category;
    const auto started = Clock::now();
    try {
        TempDir dir;
        const fs::path data = dir.path() / "data";
        fs::path file = corpus / row.path;
        if (fs::path(row.path).extension() == ".gz") {
            auto plain = gunzip(file, dir.path(), a.error);
            if (!plain) {
                return a;
            }
            file = *plain;
        }
        a.file = file.string();
        const bool server = category == Category::pkcs12_valid ||
                            category == Category::pkcs12_pbmac1 ||
                            category == Category::pkcs12_malformed;
        if (server) {
            const fs::path password_file = dir.path() / "password";
            write_file(password_file, password_override.value_or(password_for(row)));
            a.args = {"--data-dir",          data.string(), "cert",
                      "import-server",       file.string(), "--password-file",
                      password_file.string()};
        } else {
            a.args = {"--data-dir", data.string(), "cert", "import-client", file.string()};
        }
        a.import = run_cli(a.args, {}, cli_environment());
        if (!a.import.signaled && a.import.exit_code == kExitOk) {
            a.list = run_cli({"--data-dir", data.string(), "cert", "list", "--json"}, {},
                             cli_environment());
        }
    } catch (const std::exception& e) {
        a.error = std::string("test harness: ") + e.what();
    }
    a.seconds = std::chrono::duration<double>(Clock::now() - started).count();
    return a;
}

// Runs the attempts on a few threads; the gtest assertions happen later on the test thread.
std::vector<Attempt> attempt_all(const std::vector<std::pair<const Row*, Category>>& work,
                                 const fs::path& corpus) {
    std::vector<Attempt> results(work.size());
    std::atomic<std::size_t> next{0};
    std::vector<std::thread> threads;
    const unsigned n = std::min<unsigned>(corpus_jobs(), static_cast<unsigned>(work.size()));
    for (unsigned t = 0; t < n; ++t) {
        threads.emplace_back([&] {
            for (std::size_t i; (i = next.fetch_add(1)) < work.size();) {
                results[i] = attempt(*work[i].first, work[i].second, corpus);
            }
        });
    }
    for (auto& t : threads) {
        t.join();
    }
    return results;
}

// The certificates `cert list --json` shows, or a description of why it could not be read.
struct Listed {
    std::vector<nlohmann::json> entries;
    std::string problem;
};

Listed parse_list(const std::optional<CliResult>& list) {
    Listed out;
    if (!list) {
        out.problem = "`cert list --json` was not run";
        return out;
    }
    if (list->signaled || list->exit_code != kExitOk) {
        out.problem = "`cert list --json` failed: exit " + std::to_string(list->exit_code) +
                      " signal " + std::to_string(list->signal) + " stderr: " + list->err;
        return out;
    }
    try {
        const auto array = nlohmann::json::parse(list->out);
        if (!array.is_array()) {
            out.problem = "`cert list --json` did not print an array: " + list->out;
            return out;
        }
        for (const auto& entry : array) {
            out.entries.push_back(entry);
        }
    } catch (const nlohmann::json::exception& e) {
        out.problem = std::string("`cert list --json` printed no valid JSON (") + e.what() +
                      "): " + list->out;
    }
    return out;
}

// Entries of that kind that carry at least one address.
std::vector<nlohmann::json> with_addresses(const Listed& listed, std::string_view kind) {
    std::vector<nlohmann::json> out;
    for (const auto& e : listed.entries) {
        if (e.value("kind", std::string()) == kind && e.contains("addresses") &&
            e["addresses"].is_array() && !e["addresses"].empty()) {
            out.push_back(e);
        }
    }
    return out;
}

std::string addresses_of(const std::vector<nlohmann::json>& entries) {
    std::string out;
    for (const auto& e : entries) {
        for (const auto& a : e["addresses"]) {
            out += (out.empty() ? "" : ",") + a.get<std::string>();
        }
    }
    return out;
}

std::string command_line(const Attempt& a) {
    std::string out = "casecrypt";
    for (const auto& arg : a.args) {
        out += " " + arg;
    }
    return out;
}

std::string describe(const Attempt& a) {
    std::ostringstream out;
    out << "file: " << a.row->path << "\n  category: " << to_string(a.category)
        << "\n  manifest what: " << a.row->what << "\n  manifest expected: " << a.row->expected
        << "\n  command: " << command_line(a);
    if (a.category == Category::pkcs12_valid || a.category == Category::pkcs12_pbmac1 ||
        a.category == Category::pkcs12_malformed) {
        out << "\n  password: '" << password_for(*a.row) << "'";
    }
    out << "\n  exit: "
        << (a.import.signaled ? "signal " + std::to_string(a.import.signal)
                              : std::to_string(a.import.exit_code))
        << "\n  stdout: " << a.import.out << "\n  stderr: " << a.import.err;
    return out.str();
}

// ---------------------------------------------------------------------------------------------
// Tallies, printed per folder and once at the end

struct Tally {
    std::map<std::string, int> tried_by_category;
    std::map<std::string, int> imported_by_category;
    std::map<std::string, int> rejected_by_reason;
    int not_tried = 0;
    int failures = 0;
    double seconds = 0;
    std::vector<std::string> notes;  // one line per noteworthy file

    void add(const Tally& other) {
        for (const auto& [k, v] : other.tried_by_category)
            tried_by_category[k] += v;
        for (const auto& [k, v] : other.imported_by_category)
            imported_by_category[k] += v;
        for (const auto& [k, v] : other.rejected_by_reason)
            rejected_by_reason[k] += v;
        not_tried += other.not_tried;
        failures += other.failures;
        seconds += other.seconds;
    }
};

std::mutex g_totals_mutex;
Tally g_totals;
const Clock::time_point g_started = Clock::now();

std::string join_counts(const std::map<std::string, int>& counts) {
    std::string out;
    for (const auto& [k, v] : counts) {
        out += (out.empty() ? "" : ", ") + k + " " + std::to_string(v);
    }
    return out.empty() ? "none" : out;
}

void print_tally(const std::string& title, const Tally& t, bool with_notes) {
    int tried = 0, imported = 0;
    for (const auto& [k, v] : t.tried_by_category)
        tried += v;
    for (const auto& [k, v] : t.imported_by_category)
        imported += v;
    std::cout << "[corpus] " << title << ": " << tried << " files tried, " << t.not_tried
              << " rows not tried (messages, CMS, documentation)\n"
              << "[corpus]   tried by category: " << join_counts(t.tried_by_category) << "\n"
              << "[corpus]   imported (exit 0): " << imported << " ("
              << join_counts(t.imported_by_category) << ")\n"
              << "[corpus]   rejected (exit 3) by first reason: "
              << join_counts(t.rejected_by_reason) << "\n"
              << "[corpus]   files failing their expectation: " << t.failures << "\n";
    if (with_notes) {
        for (const auto& n : t.notes) {
            std::cout << "[corpus]   " << n << "\n";
        }
    }
}

class SummaryPrinter : public ::testing::Environment {
public:
    void TearDown() override {
        std::lock_guard lock(g_totals_mutex);
        if (g_totals.tried_by_category.empty()) {
            return;
        }
        print_tally("TOTAL over all folders", g_totals, false);
        std::cout << "[corpus]   CLI time summed over files " << g_totals.seconds
                  << " s; wall time of the corpus tests "
                  << std::chrono::duration<double>(Clock::now() - g_started).count() << " s\n";
    }
};

[[maybe_unused]] ::testing::Environment* const g_summary =
    ::testing::AddGlobalTestEnvironment(new SummaryPrinter);

// ---------------------------------------------------------------------------------------------
// The checks of one attempt. Returns false (after EXPECT failures) when it missed its mark.

bool check_process(const Attempt& a) {
    bool ok = true;
    EXPECT_TRUE(a.error.empty()) << a.error << "\n" << a.row->path;
    if (!a.error.empty()) {
        return false;
    }
    EXPECT_FALSE(a.import.signaled)
        << "CRASH: the CLI was killed by signal " << a.import.signal << "\n"
        << describe(a);
    ok = ok && !a.import.signaled;
    const bool sanitizer =
        contains(a.import.err, "Sanitizer") || contains(a.import.err, "runtime error:");
    EXPECT_FALSE(sanitizer) << "sanitizer report\n" << describe(a);
    ok = ok && !sanitizer;
    if (a.import.signaled) {
        return false;
    }
    const int code = a.import.exit_code;
    const bool documented = code == kExitOk || code == kExitFailure || code == kExitRejected;
    EXPECT_TRUE(documented) << "undocumented exit code " << code << "\n" << describe(a);
    ok = ok && documented;
    if (code == kExitRejected) {
        const bool sentence = starts_with(a.import.err, "error: ") &&
                              a.import.err.size() > std::string_view("error: ").size() + 10;
        EXPECT_TRUE(sentence) << "exit 3 without an `error: <sentence>` on stderr\n" << describe(a);
        ok = ok && sentence;
    }
    EXPECT_LT(a.seconds, static_cast<double>(kMaxSecondsPerFile.count()))
        << "took " << a.seconds << " s (must not hang)\n"
        << describe(a);
    ok = ok && a.seconds < static_cast<double>(kMaxSecondsPerFile.count());
    return ok;
}

bool check_listed(const Attempt& a, std::string_view kind, std::vector<nlohmann::json>& found) {
    const Listed listed = parse_list(a.list);
    EXPECT_TRUE(listed.problem.empty()) << listed.problem << "\n" << describe(a);
    if (!listed.problem.empty()) {
        return false;
    }
    found = with_addresses(listed, kind);
    EXPECT_FALSE(found.empty()) << "exit 0 but `cert list --json` shows no " << kind
                                << " certificate with an address: " << a.list->out << "\n"
                                << describe(a);
    return !found.empty();
}

// Exit 3 of a well-formed file: the reasons must all be policy reasons.
bool check_policy_rejection(const Attempt& a, bool pkcs12, bool pbmac1_allowed) {
    const std::string sentence = error_sentence(a.import.err, a.file);
    const auto reasons = reasons_in(sentence);
    bool has_policy = false;
    std::vector<std::string> forbidden;
    for (const auto* r : reasons) {
        if (r->key == "pbmac1" && pbmac1_allowed) {
            has_policy = true;
        } else if (r->policy && (pkcs12 || !r->pkcs12_only)) {
            has_policy = true;
        } else {
            forbidden.emplace_back(r->key);
        }
    }
    EXPECT_TRUE(has_policy && forbidden.empty())
        << "a file the manifest calls valid was rejected for a reason that is not an import "
           "policy ("
        << (forbidden.empty() ? std::string("no known policy reason in the message")
                              : "says: " + forbidden.front())
        << ")\n"
        << describe(a);
    return has_policy && forbidden.empty();
}

void check_attempt(const Attempt& a, Tally& tally) {
    const std::string category(to_string(a.category));
    tally.tried_by_category[category] += 1;
    tally.seconds += a.seconds;
    bool ok = check_process(a);
    const int code = a.import.signaled ? -1 : a.import.exit_code;
    const std::string sentence = error_sentence(a.import.err, a.file);
    const std::string reason = primary_reason(sentence);
    std::string note;

    if (code == kExitOk) {
        tally.imported_by_category[category] += 1;
    } else if (code == kExitRejected) {
        tally.rejected_by_reason[reason] += 1;
    } else if (code == kExitFailure) {
        tally.rejected_by_reason["exit-1-io-failure"] += 1;
    }

    switch (a.category) {
        case Category::pkcs12_valid:
        case Category::pkcs12_pbmac1: {
            const bool pbmac1 = a.category == Category::pkcs12_pbmac1;
            EXPECT_TRUE(code == kExitOk || code == kExitRejected)
                << "a valid PKCS #12 must import or be refused by policy\n"
                << describe(a);
            ok = ok && (code == kExitOk || code == kExitRejected);
            if (code == kExitOk) {
                std::vector<nlohmann::json> found;
                ok = check_listed(a, "server", found) && ok;
                note = "IMPORTED server " + addresses_of(found);
                for (const auto& e : found) {
                    EXPECT_TRUE(e.value("has_private_key", false))
                        << "a server certificate without its private key: " << e.dump() << "\n"
                        << describe(a);
                    ok = ok && e.value("has_private_key", false);
                }
                // An expired identity is imported (old mail must still decrypt), with a warning.
                const bool expired = std::any_of(found.begin(), found.end(), [](const auto& e) {
                    return e.value("status", std::string()) == "expired";
                });
                if (expired) {
                    const bool warned =
                        contains(a.import.err, "warning: ") && contains(a.import.err, "expired on");
                    EXPECT_TRUE(warned)
                        << "an expired server certificate was imported without a warning\n"
                        << describe(a);
                    ok = ok && warned;
                    note += " (expired, warned)";
                }
            } else if (code == kExitRejected) {
                ok = check_policy_rejection(a, true, pbmac1) && ok;
                note = "rejected (" + reason + ")";
            }
            if (const auto it = thunderbird_identities().find(a.row->path);
                it != thunderbird_identities().end()) {
                EXPECT_EQ(code, kExitOk)
                    << "the Thunderbird identity must import (valid until 2031)\n"
                    << describe(a);
                ok = ok && code == kExitOk;
                if (code == kExitOk) {
                    const auto found = with_addresses(parse_list(a.list), "server");
                    const std::string addresses = addresses_of(found);
                    EXPECT_TRUE(contains("," + addresses + ",", "," + it->second + ","))
                        << "expected address " << it->second << ", the store shows " << addresses
                        << "\n"
                        << describe(a);
                    ok = ok && contains("," + addresses + ",", "," + it->second + ",");
                }
            }
            break;
        }
        case Category::pkcs12_malformed:
            EXPECT_EQ(code, kExitRejected) << "a malformed PKCS #12 must be rejected (exit 3)\n"
                                           << describe(a);
            ok = ok && code == kExitRejected;
            note = code == kExitRejected ? "rejected (" + reason + ")" : "NOT rejected";
            break;
        case Category::cert_valid:
            EXPECT_TRUE(code == kExitOk || code == kExitRejected)
                << "a valid certificate file must import or be refused by policy\n"
                << describe(a);
            ok = ok && (code == kExitOk || code == kExitRejected);
            if (code == kExitOk) {
                std::vector<nlohmann::json> found;
                ok = check_listed(a, "client", found) && ok;
                note = "IMPORTED client " + addresses_of(found);
            } else if (code == kExitRejected) {
                ok = check_policy_rejection(a, false, false) && ok;
                if (reason != "no-email" && reason != "ca-certificate") {
                    note = "rejected (" + reason + ")";
                }
            }
            break;
        case Category::cert_malformed:
            EXPECT_EQ(code, kExitRejected) << "a malformed certificate must be rejected (exit 3)\n"
                                           << describe(a);
            ok = ok && code == kExitRejected;
            if (code == kExitRejected) {
                const bool by_parser = reason == "no-certificate-found";
                note = std::string("rejected by the ") + (by_parser ? "parser" : "policy only") +
                       " (" + reason + ")";
            } else {
                note = "NOT rejected";
            }
            break;
        case Category::cert_lenient:
            EXPECT_TRUE(code == kExitOk || code == kExitRejected) << describe(a);
            ok = ok && (code == kExitOk || code == kExitRejected);
            note = code == kExitOk ? "imported (lenient)" : "rejected (lenient, " + reason + ")";
            break;
        case Category::not_certificate:
            EXPECT_EQ(code, kExitRejected)
                << "a file holding no certificate must be rejected (exit 3)\n"
                << describe(a);
            ok = ok && code == kExitRejected;
            break;
        case Category::not_tried:
            break;
    }
    if (!ok) {
        tally.failures += 1;
        note = "FAILED " + note;
    }
    if (corpus_verbose() || !note.empty()) {
        char seconds[32];
        std::snprintf(seconds, sizeof seconds, "%.2fs", a.seconds);
        tally.notes.push_back(std::string(to_string(a.category)) + "  exit " +
                              (a.import.signaled ? "SIG" : std::to_string(code)) + "  " +
                              (note.empty() ? "rejected (" + reason + ")" : note) + "  " +
                              a.row->path + "  " + seconds);
    }
}

// Every row of one source folder: classify, import in parallel, check, print.
void check_folder(const std::string& folder) {
    const fs::path corpus = *corpus_dir();
    std::vector<std::pair<const Row*, Category>> work;
    Tally tally;
    for (const Row& row : manifest()) {
        if (!starts_with(row.path, folder + "/")) {
            continue;
        }
        ASSERT_TRUE(fs::is_regular_file(corpus / row.path))
            << "the manifest lists " << row.path << " but the corpus has no such file";
        const Category category = classify(row, corpus);
        if (category == Category::not_tried) {
            tally.not_tried += 1;
            continue;
        }
        work.emplace_back(&row, category);
    }
    ASSERT_FALSE(work.empty()) << "no certificate or PKCS #12 file found under " << folder;
    const auto attempts = attempt_all(work, corpus);
    for (const auto& a : attempts) {
        SCOPED_TRACE(a.row->path);
        check_attempt(a, tally);
    }
    print_tally(folder, tally, true);
    std::lock_guard lock(g_totals_mutex);
    g_totals.add(tally);
}

// ---------------------------------------------------------------------------------------------
// Tests

const std::vector<std::string> kFolders = {
    "thunderbird-comm-central",
    "pyca-cryptography-vectors",
    "nist-pkits",
    "bouncycastle-bc-test-data",
    "openssl",
    "botan",
    "mimekit",
    "gmime",
    "libksba",
    "m2crypto",
    "kde-messagelib",
    "rfc9216-lamps-examples-cms",
};

TEST(CorpusManifest, EveryRowIsInAKnownFolderAndClassified) {
    SKIP_WITHOUT_CORPUS();
    const fs::path corpus = *corpus_dir();
    ASSERT_GT(manifest().size(), 1000u) << "MANIFEST-files.tsv looks truncated";
    std::map<std::string, std::set<std::string>> mapping;
    for (const Row& row : manifest()) {
        const std::string folder = row.path.substr(0, row.path.find('/'));
        const bool known = folder == "_verification" ||
                           std::find(kFolders.begin(), kFolders.end(), folder) != kFolders.end();
        EXPECT_TRUE(known) << "a source folder this test does not try: " << folder << " ("
                           << row.path << "); add a TEST for it";
        if (fs::is_regular_file(corpus / row.path)) {
            mapping[std::string(to_string(classify(row, corpus)))].insert(row.what);
        }
    }
    if (const char* dump = std::getenv("CASECRYPT_CORPUS_DUMP_MAPPING");
        dump != nullptr && *dump != '\0') {
        for (const auto& [category, whats] : mapping) {
            std::cout << category << ":\n";
            for (const auto& w : whats) {
                std::cout << "    " << w << "\n";
            }
        }
    }
}

TEST(CorpusImport, ThunderbirdCommCentral) {
    SKIP_WITHOUT_CORPUS();
    check_folder("thunderbird-comm-central");
}
TEST(CorpusImport, PycaCryptographyVectors) {
    SKIP_WITHOUT_CORPUS();
    check_folder("pyca-cryptography-vectors");
}
TEST(CorpusImport, NistPkits) {
    SKIP_WITHOUT_CORPUS();
    check_folder("nist-pkits");
}
TEST(CorpusImport, BouncyCastleTestData) {
    SKIP_WITHOUT_CORPUS();
    check_folder("bouncycastle-bc-test-data");
}
TEST(CorpusImport, OpenSsl) {
    SKIP_WITHOUT_CORPUS();
    check_folder("openssl");
}
TEST(CorpusImport, Botan) {
    SKIP_WITHOUT_CORPUS();
    check_folder("botan");
}
TEST(CorpusImport, MimeKit) {
    SKIP_WITHOUT_CORPUS();
    check_folder("mimekit");
}
TEST(CorpusImport, GMime) {
    SKIP_WITHOUT_CORPUS();
    check_folder("gmime");
}
TEST(CorpusImport, Libksba) {
    SKIP_WITHOUT_CORPUS();
    check_folder("libksba");
}
TEST(CorpusImport, M2Crypto) {
    SKIP_WITHOUT_CORPUS();
    check_folder("m2crypto");
}
TEST(CorpusImport, KdeMessagelib) {
    SKIP_WITHOUT_CORPUS();
    check_folder("kde-messagelib");
}
TEST(CorpusImport, Rfc9216LampsExamples) {
    SKIP_WITHOUT_CORPUS();
    check_folder("rfc9216-lamps-examples-cms");
}

// A valid file with the wrong password (and with none) says so, and imports nothing.
TEST(CorpusImport, WrongPasswordIsReportedAsSuch) {
    SKIP_WITHOUT_CORPUS();
    const Row* alice = find_row("thunderbird-comm-central/smime/Alice.p12");
    ASSERT_NE(alice, nullptr) << "Alice.p12 is not in the manifest";
    ASSERT_EQ(password_for(*alice), "nss");
    for (const std::string wrong : {"not-the-password", ""}) {
        SCOPED_TRACE("password '" + wrong + "'");
        const Attempt a = attempt(*alice, Category::pkcs12_malformed, *corpus_dir(), wrong);
        ASSERT_TRUE(check_process(a));
        EXPECT_EQ(a.import.exit_code, kExitRejected) << describe(a);
        EXPECT_TRUE(contains(a.import.err, "password is wrong")) << describe(a);
    }
}

// A PKCS #12 offered as a recipient's certificate is named for what it is.
TEST(CorpusImport, Pkcs12OfferedAsClientCertificateIsNamed) {
    SKIP_WITHOUT_CORPUS();
    for (const std::string path :
         {"thunderbird-comm-central/smime/Bob.p12", "botan/pkcs12/openssl_aes256.p12"}) {
        const Row* row = find_row(path);
        ASSERT_NE(row, nullptr) << path << " is not in the manifest";
        const Attempt a = attempt(*row, Category::cert_valid, *corpus_dir());
        ASSERT_TRUE(check_process(a));
        EXPECT_EQ(a.import.exit_code, kExitRejected) << describe(a);
        EXPECT_TRUE(contains(a.import.err, "is a PKCS #12 file")) << describe(a);
    }
}

}  // namespace
}  // namespace casecrypt::test
