// Runs every signed or encrypted message of the external interoperability corpus
// (/work/shared/corpus, see its MANIFEST.md and MANIFEST-files.tsv) through the real binary,
// `casecrypt mail decrypt --json`, and checks the outcome the manifest expects. None of these
// messages was made by us, so the test cannot agree with a bug of ours (STYLE.md rule 10).
//
// The corpus comes from $CASECRYPT_CORPUS (skipped without it), the binary from $CASECRYPT_BIN.
// Messages run in parallel ($CASECRYPT_CORPUS_JOBS); $CASECRYPT_CORPUS_VERBOSE=1 prints one line
// per run. One TEST per corpus source folder; each prints a summary (decrypted, verified valid,
// verified invalid, rejected by reason, skipped rows by reason, failures, known gaps), then one
// line per run that did not simply pass.
// CorpusMessages.EveryRowIsPlannedOrSkipped makes sure no manifest row is silently left out.
//
// Keys and trust. Per folder the test prepares "keyrings": a data directory with the trust
// anchors the manifest names imported (`cert import-ca`) and the manifest's decryption identity
// imported (`cert import-server`). When our import policy refuses an identity (RSA 1024 in
// RFC 4134 and KDE, no email address in pyca's and OpenSSL's, X25519 for RFC 9216's Dana) it is
// given to `mail decrypt --p12` instead, which is meant to take any PKCS #12. Identities that
// come as key + certificate (RFC 4134 .pri/.cer, RFC 9216 .p8.pem/.crt, pyca, OpenSSL) become a
// .p12 at test time with the openssl CLI, never with our code. Each run gets its own copy of
// its keyring's data directory. When `--p12` itself refuses the identity, a run that was to be
// rejected anyway counts as met but is listed as NOT EXERCISED (the message was never opened).
//
//   thunderbird  Bob.p12, smime-interop/Fran.p12, Fran-ec.p12 (password nss); CA TestCA.pem
//   kde          DERIVED-by-corpus-builder/unittest-exported-by-gpgsm.p12 (kdetest); the same
//                certificate as CA (gnupg_home/trustlist.txt trusts it; "the certificate must be
//                supplied")
//   mimekit      CAs StartCom (root and intermediate)
//   rfc4134      built from BobPrivRSAEncrypt.pri + BobRSASignByCarl.cer; CAs CarlRSASelf.cer,
//                CarlDSSSelf.cer
//   rfc9216      built from lamps-bob.* and lamps-dana.* (one keyring each); no CA in the corpus
//   pyca         built from x509/custom/ca/rsa_ca.pem + rsa_key.pem
//   openssl      built from smec3.pem, smrsa3.pem, dh-/ecdh-cert+key, ee-cert/key,
//                servercert/serverkey (the recipient of each message); CA certs/pkitsta.pem
//   m2crypto     CA tests/ca.pem;   nist-pkits   CA certs/TrustAnchorRootCertificate.crt
//
// Files that are not an RFC 5322 mail are wrapped at test time in a minimal one: raw DER or PEM
// CMS (.bin .der .cms .p7m .p7s .pem, Thunderbird's STALE raw DER files, the PEM block of BC's
// ML-DSA sample text) become `application/pkcs7-mime; smime-type=` + the type read from the CMS
// contentType OID (none for data, digested-data, encrypted-data, signedAndEnveloped-data) with
// the DER base64-encoded; detached signatures whose content the corpus has (RFC 4134 4.3 and
// RFC 9216 signedByCarlosDetached: 'This is some sample content.'; Thunderbird's STALE
// alice.mime.dsig.*: alice.mime) become a multipart/signed whose first part is that content
// byte for byte. The corpus files themselves are never copied or changed.
//
// What every run must show (the never-crash rule): no signal, no sanitizer report on stderr
// ("Sanitizer", "runtime error:"), exit 0 or 3, an `error: <sentence>` on stderr with exit 3, a
// JSON report on stdout with exit 0, and less than 30 s.
//
// Mapping of the manifest (`what` / `expected`, MANIFEST-files.tsv columns 5 and 6; the
// `openssl` column 7 gives the layer order of the Thunderbird messages) to the assertions:
//
//   opens      exit 0, then: `encrypted` as expected; `text` (or, when `mixed_parts`, some part's
//              text) contains the expected plaintext; `signature` as below; `trusted` where the
//              manifest names the trust anchor.
//     "valid: decrypt with Bob.p12 / verify with TestCA.pem; text '...'"   (Thunderbird)
//         encrypted iff the openssl column has ENV:decrypt-ok; the outermost signature layer of
//         the openssl column (SIG-opaque/DSIG verify-ok) -> signature valid and trusted.
//     "cryptographically valid (SHA-1); policy: modern clients may reject SHA-1 signatures"
//         the same, but a signature reported not valid because of SHA-1 is accepted too.
//     "signature cryptographically valid; Date header is 6h after signingTime"  -> valid.
//     "inner enveloped data decrypts for Bob; OUTER NSS clear-signature ... LF-only form"
//         encrypted, text found, outer signature not valid or absent (ignored) - except the
//         `.dave.` variants whose outermost layer is Dave's valid opaque signature (the report
//         shows the outermost signature only, so Alice's broken inner one is not visible).
//     "hand-crafted nested message (outer signature deliberately does not match / foreign)"
//         outer signature not valid or absent; inner layers per smime-manual/readme.txt:
//         decrypts for Bob with the text, except alice.env.mixed.dsig and outer-pgp-sig-* (their
//         envelope is for an earlier Bob key: exit 3 or not valid).
//     "decrypt with Fran(-ec).p12 -> '...'"   encrypted, text found.
//     "STALE raw signature/message ..."        signature valid (crypto), trusted false, text
//         found (alice.mime / alice.textplain); the *mismatch-econtent* ones: fails (below).
//     KDE "decrypt with unittest key and/or verify (cert: unittest cert) -> valid" and
//         "enveloped data sent as application/octet-stream; decrypts": the structure of the
//         .tree file of the same name (EncryptedMessagePart -> encrypted, SignedMessagePart ->
//         signature valid) and the text the openssl CLI finds (kKdeTexts).
//     MimeKit "signature valid at signing time; cert expired 2014"; "valid when the first part
//         is hashed byte-exact"   -> signature valid (trust not checked: expired).
//     RFC 4134 "valid", "valid; content = ExContent", "valid with ExContent.bin as external
//         content" -> signature valid, text 'This is some sample content.';
//         "decrypt -> ExContent" -> encrypted, that text.
//     RFC 9216 "decrypt -> ...", "both recipients decrypt" (one run per recipient), "valid",
//         "valid with content ..." -> the same (no CA in the corpus: trust not checked).
//     pyca "decrypt -> 'Hello world!' / 'Hello, World!' variants" -> encrypted, text 'Hello'.
//     OpenSSL "decrypt -> test/smcont.txt" -> encrypted, 'Somewhat longer test content'.
//     libksba "parse + signature valid"; M2Crypto "signature valid; ... chain check fails"
//         (trusted false with tests/ca.pem as anchor).
//     PKITS "SignedValid*" -> signature valid and trusted; "SignedInvalid*" -> signature valid
//         (each is crypto-valid: 223 of 224 with -noverify) and not trusted; others -> valid.
//   efail      "both parts decrypt for Bob; a client must not render the hidden 'SECRET-TEXT'
//              part": exit 0, mixed_parts, top-level text null, every encrypted part decrypted.
//   fails      exit 3 (a clean rejection), or exit 0 with the signature reported not valid:
//     "signature must fail (content altered)", "must be rejected: detached multipart/signed whose
//     CMS also carries a different eContent", "outer signature invalid", KDE "signature INVALID"
//     and "MUST fail gracefully", pyca "must be rejected / cannot verify (no content)", OpenSSL
//     "MUST fail (verification)", "must fail cleanly (no UAF)", "parse; MD2 unsupported for
//     verify", "must fail cleanly" (pkcs7-md4), libksba detached signatures without their
//     content ("parse only").
//   rejected   exit 3:
//     "cannot be decrypted with the current Bob.p12 -> 'no matching recipient'" and "keys NOT
//     included" / libksba "parse only (no private key)" -> "no key for any recipient";
//     OpenSSL "must fail cleanly, no crash", "must be rejected (cleanly)", "must fail (unwrap
//     failure)", "parses" (EncryptedData: no key); RFC 4134 EncryptedData "no key published";
//     RFC 9216 KEKRecipientInfo (the KEK is not in the corpus).
//   untrusted  exit 3, or a signature not both valid and trusted: OpenSSL smime-eml
//     SignedInvalidMappingFromanyPolicyTest7 "must be rejected".
//   clean      only the never-crash rule: OpenSSL rsa-malformed.der "must not crash (fail or
//     garbage)"; RFC 4134 ContentInfo/data and DigestedData (neither signed nor encrypted); BC
//     ML-DSA SignedData sample text (OpenSSL 3.0 has no ML-DSA; the signer certificate is not
//     in the message).
//   known gap  the manifest itself records that OpenSSL 3.0 (our CMS engine) cannot do it, or
//     the CLI has no input for it. The expectation is still checked, and only the one problem
//     the gap explains is excused (listed as KNOWN GAP); any other problem still fails:
//       "signature not valid"  RFC 4134 4.6 and PKITS Test5 (DSA parameter inheritance), RFC
//                              9216 Ed25519 signatures and signedByAliceAndCarlosNoCerts (no
//                              certificates in the message, and the CLI takes none);
//       "expected exit 0, got exit 3"  RFC 9216 X25519 key agreement (Dana), ChaCha20-Poly1305;
//       "signature trusted (expected not trusted)"  PKITS SignedInvalid* whose name shows that
//                              only CRL or certificate-policy processing rejects them (CRL, cRL,
//                              Revoked, distributionPoint, onlySomeReasons, onlyContains,
//                              SerialNumber, Polic, BasicSelfIssued): no CRL or policy input
//                              exists; OpenSSL itself needed -crl_check_all -policy_check;
//       "signature reported valid and trusted"  OpenSSL's SignedInvalidMappingFromanyPolicyTest7.
//   skipped    rows that are not messages: certificates, keys, CRLs, CSRs, PKCS #12 files,
//     certs-only bundles incl. RFC 4134 4.11 (corpus_import tries those), documentation, ASN.1
//     dumps, .tree files, the content files of detached signatures, verification records.
//     GMime and Botan hold no message: their TESTs skip with that reason.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <functional>
#include <iostream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "corpus/corpus_manifest.h"
#include "support/openssl_cli.h"
#include "support/run_cli.h"

namespace casecrypt::test {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr int kExitOk = 0;
constexpr int kExitRejected = 3;
constexpr double kMaxSecondsPerRun = 30;

constexpr std::string_view kAliceToBob = "This is a test message from Alice to Bob.";
constexpr std::string_view kToFran = "This is a test message to Fran.";
constexpr std::string_view kExContent = "This is some sample content.";
constexpr std::string_view kNoKey = "no key for any recipient";
// The password of the PKCS #12 files this test builds with the openssl CLI.
constexpr std::string_view kBuiltPassword = "corpus";

// ---------------------------------------------------------------------------------------------
// Expectations

enum class Outcome { opens, efail, fails, rejected, untrusted, clean };
enum class Sig {
    unchecked,
    absent,                // no signature reported
    valid,                 // reported and valid
    valid_or_sha1_policy,  // valid, or not valid with a problem naming SHA-1
    invalid,               // reported and not valid
    invalid_or_absent,     // not reported (ignored), or reported and not valid
};

struct Expectation {
    Outcome outcome = Outcome::clean;
    std::optional<bool> encrypted;
    std::string text;  // must appear in the text (opens, efail)
    Sig signature = Sig::unchecked;
    std::optional<bool> trusted;
    std::string error_needle;  // rejected: the error sentence must contain this
    // A known limitation: the problems that begin with one of `gap_excuses` are reported as
    // KNOWN GAP instead of failing the test; any other problem still fails it.
    std::string known_gap;
    std::vector<std::string> gap_excuses;
    std::string note;  // why the expectation is what it is, for the report
};

// Problem texts (see outcome_problems) that known gaps excuse.
constexpr std::string_view kSignatureNotValid = "signature not valid";
constexpr std::string_view kNotOpened = "expected exit 0, got exit 3";
constexpr std::string_view kTrustedAfterAll = "signature trusted (expected not trusted)";
constexpr std::string_view kValidAndTrusted = "signature reported valid and trusted";

std::string_view to_string(Outcome o) {
    switch (o) {
        case Outcome::opens:
            return "opens";
        case Outcome::efail:
            return "efail";
        case Outcome::fails:
            return "fails";
        case Outcome::rejected:
            return "rejected";
        case Outcome::untrusted:
            return "untrusted";
        case Outcome::clean:
            return "clean";
    }
    return "?";
}

std::string_view to_string(Sig s) {
    switch (s) {
        case Sig::unchecked:
            return "unchecked";
        case Sig::absent:
            return "absent";
        case Sig::valid:
            return "valid";
        case Sig::valid_or_sha1_policy:
            return "valid (or refused for SHA-1)";
        case Sig::invalid:
            return "invalid";
        case Sig::invalid_or_absent:
            return "invalid or ignored";
    }
    return "?";
}

std::string describe(const Expectation& e) {
    std::string out(to_string(e.outcome));
    if (e.encrypted)
        out += *e.encrypted ? ", encrypted" : ", not encrypted";
    if (!e.text.empty())
        out += ", text '" + e.text + "'";
    if (e.signature != Sig::unchecked)
        out += ", signature " + std::string(to_string(e.signature));
    if (e.trusted)
        out += *e.trusted ? ", trusted" : ", not trusted";
    if (!e.error_needle.empty())
        out += ", error '" + e.error_needle + "'";
    if (!e.known_gap.empty())
        out += " [known gap: " + e.known_gap + "]";
    if (!e.note.empty())
        out += " (" + e.note + ")";
    return out;
}

Expectation opens(std::optional<bool> encrypted, std::string text, Sig signature,
                  std::optional<bool> trusted = std::nullopt) {
    Expectation e;
    e.outcome = Outcome::opens;
    e.encrypted = encrypted;
    e.text = std::move(text);
    e.signature = signature;
    e.trusted = trusted;
    return e;
}

Expectation fails(Sig signature) {
    Expectation e;
    e.outcome = Outcome::fails;
    e.signature = signature;
    return e;
}

Expectation rejected(std::string needle = {}) {
    Expectation e;
    e.outcome = Outcome::rejected;
    e.error_needle = std::move(needle);
    return e;
}

Expectation only_clean(std::string note) {
    Expectation e;
    e.note = std::move(note);
    return e;
}

Expectation with_gap(Expectation e, std::string gap, std::string_view excuse) {
    e.known_gap = std::move(gap);
    e.gap_excuses.emplace_back(excuse);
    return e;
}

// ---------------------------------------------------------------------------------------------
// Keyrings and jobs

struct IdentitySpec {
    std::string name;
    std::string p12;  // corpus path of a PKCS #12, or empty: built from cert + key
    std::string password;
    std::string cert;  // corpus paths (PEM or DER) for a built one
    std::string key;
};

struct KeyringSpec {
    std::string name;
    std::vector<std::string> cas;  // corpus paths
    std::vector<IdentitySpec> identities;
};

enum class Wrap {
    as_is,     // the file is a mail (or a MIME entity)
    cms,       // DER or PEM CMS: wrapped into application/pkcs7-mime
    detached,  // DER detached signature: wrapped into multipart/signed with `content`
};

struct Job {
    const Row* row = nullptr;
    std::string label;  // the path, plus the recipient when one file runs several times
    std::string keyring;
    Wrap wrap = Wrap::as_is;
    std::string content;  // Wrap::detached: the signed content's bytes
    Expectation expect;
};

// What the planner made of one row: jobs, or the reason it is not a message.
struct Planned {
    std::vector<Job> jobs;
    std::string skip_reason;
};

Job job(const Row& row, std::string keyring, Expectation e, Wrap wrap = Wrap::as_is) {
    Job j;
    j.row = &row;
    j.label = row.path;
    j.keyring = std::move(keyring);
    j.wrap = wrap;
    j.expect = std::move(e);
    return j;
}

std::string file_name(const Row& row) {
    return fs::path(row.path).filename().string();
}

// A DER file starts with a SEQUENCE; anything with "-----BEGIN " is PEM; else a MIME file.
Wrap wrap_for(const fs::path& file) {
    const auto bytes = read_bytes(file).value_or("");
    if (contains(bytes.substr(0, 4096), "-----BEGIN "))
        return Wrap::cms;
    if (!bytes.empty() && static_cast<unsigned char>(bytes[0]) == 0x30)
        return Wrap::cms;
    return Wrap::as_is;
}

// ---------------------------------------------------------------------------------------------
// Rows that are not messages

constexpr std::string_view kNotMessages[][2] = {
    // {`what` prefix, reason}
    {"PKCS#12", "PKCS #12 (corpus_import)"},
    {"PKITS PKCS#12", "PKCS #12 (corpus_import)"},
    {"PFX ", "PKCS #12 (corpus_import)"},
    {"Java keytool", "PKCS #12 (corpus_import)"},
    {"RFC 9579 PBMAC1", "PKCS #12 (corpus_import)"},
    {"malformed PKCS#12", "PKCS #12 (corpus_import)"},
    {"DERIVED by corpus builder", "key / certificate (keyring)"},
    {"PKITS certificate", "certificate (corpus_import)"},
    {"PKITS CRL", "CRL"},
    {"X.509", "certificate / CRL / CSR (corpus_import)"},
    {"x509test chain", "certificate (corpus_import)"},
    {"OpenSSL S/MIME test cert", "key / certificate (keyring)"},
    {"OpenSSL test cert/key", "key / certificate (keyring)"},
    {"recipient cert/key", "key / certificate (keyring)"},
    {"misc X.509", "certificate (corpus_import)"},
    {"serial-number edge cases", "certificate (corpus_import)"},
    {"v1 certificate", "certificate (corpus_import)"},
    {"CurveBall", "certificate (corpus_import)"},
    {"gzip'ed X.509", "certificate (corpus_import)"},
    {"RFC 4134 certificate", "key / certificate (keyring)"},
    {"RFC 4134 CRL", "CRL"},
    {"RFC 4134 private key", "key / certificate (keyring)"},
    {"RFC 9216 certificate", "key / certificate (keyring)"},
    {"RFC 9216 private key", "key / certificate (keyring)"},
    {"PQC certificate", "certificate (corpus_import)"},
    {"EC CA cert/key", "key / certificate (keyring)"},
    {"M2Crypto test cert/data", "key / certificate (keyring)"},
    {"cert with", "certificate (corpus_import)"},
    {"private key", "key / certificate (keyring)"},
    {"StartCom CA certs", "key / certificate (keyring)"},
    {"CA cert", "key / certificate (keyring)"},
    {"EE cert", "certificate (corpus_import)"},
    {"CA key", "key / certificate (keyring)"},
    {"RSA key", "key / certificate (keyring)"},
    {"CSR", "certificate / CRL / CSR (corpus_import)"},
    {"signer cert for", "certificate (corpus_import)"},
    {"PKCS#7 certs-only", "certs-only bundle (corpus_import)"},
    {"1996 VeriSign PKCS#7 certs bag", "certs-only bundle (corpus_import)"},
    {"RFC 4134 example: SignedData certificates-only", "certs-only bundle (corpus_import)"},
    {"gpg-agent protected private key", "gpg-agent key (not usable by OpenSSL)"},
    {"gpgsm keybox", "gpgsm keybox / trust list"},
    {"documentation", "documentation"},
    {"provenance of samples", "documentation"},
    {"verification record", "verification record"},
    {"commented ASN.1 dump", "ASN.1 dump (documentation)"},
    {"KDE expected MIME-part tree", "expected MIME tree (used for KDE expectations)"},
    {"plaintext MIME entity (content for", "content of detached signatures (used by them)"},
    {"plaintext used by OpenSSL CMS tests", "plaintext (expected content)"},
    {"RFC 4134 example: content", "plaintext (expected content)"},
    {"RFC 4134 example: RFC 4134 text", "documentation"},
};

std::optional<std::string> not_a_message(const Row& row) {
    if (ends_with(row.what, "[ASN.1 dump]")) {
        return "ASN.1 dump (documentation)";
    }
    for (const auto& [prefix, reason] : kNotMessages) {
        if (starts_with(row.what, prefix)) {
            return std::string(reason);
        }
    }
    return std::nullopt;
}

// ---------------------------------------------------------------------------------------------
// Per-folder plans

// Thunderbird: the `openssl` column lists the layers OpenSSL peeled, outermost first, e.g.
// "openssl unwrap: SIG-opaque:verify-ok > ENV:decrypt-ok > LEAF:text/plain ; text-found".
std::optional<bool> outermost_signature_ok(const std::string& openssl) {
    const auto sig = openssl.find("SIG");  // SIG-opaque or DSIG
    if (sig == std::string::npos)
        return std::nullopt;
    const auto colon = openssl.find(':', sig);
    return colon != std::string::npos && openssl.compare(colon + 1, 9, "verify-ok") == 0;
}

Expectation thunderbird_nss(const Row& row) {
    const std::string& x = row.expected;
    if (starts_with(x, "signature must fail") || starts_with(x, "must be rejected")) {
        return fails(Sig::invalid);
    }
    const bool encrypted =
        contains(row.openssl, "ENV:decrypt-ok") || starts_with(x, "inner enveloped data decrypts");
    const auto outer_ok = outermost_signature_ok(row.openssl);
    Sig sig = Sig::absent;
    std::optional<bool> trusted;
    if (outer_ok && *outer_ok) {
        const bool sha1 = starts_with(x, "cryptographically valid (SHA-1)");
        sig = sha1 ? Sig::valid_or_sha1_policy : Sig::valid;
        if (!sha1)
            trusted = true;  // TestCA.pem is the anchor
    } else if (outer_ok) {
        sig = Sig::invalid_or_absent;  // the LF-form outer signatures: invalid, or ignored
    }
    return opens(encrypted, std::string(kAliceToBob), sig, trusted);
}

Planned plan_thunderbird(const Row& row, const fs::path& corpus) {
    const std::string name = file_name(row);
    const std::string& what = row.what;
    if (what == "NSS-generated S/MIME message") {
        return {{job(row, "tb", thunderbird_nss(row))}, {}};
    }
    if (starts_with(what, "STALE raw DER enveloped-data")) {
        return {{job(row, "tb", rejected(std::string(kNoKey)), Wrap::cms)}, {}};
    }
    if (starts_with(what, "STALE raw signature/message")) {
        Expectation e = contains(name, "mismatch-econtent")
                            ? fails(Sig::invalid)
                            : opens(false, std::string(kAliceToBob), Sig::valid, false);
        if (starts_with(name, "alice.mime.dsig.")) {
            Job j = job(row, "tb", e, Wrap::detached);
            const auto dir = fs::path(row.path).parent_path();
            j.content = read_bytes(corpus / dir / "alice.mime").value_or("");
            return {{j}, {}};
        }
        return {{job(row, "tb", e, wrap_for(corpus / row.path))}, {}};
    }
    if (starts_with(what, "S/MIME enveloped-data produced by OpenSSL for NSS interop")) {
        return {{job(row, "tb", opens(true, std::string(kToFran), Sig::absent))}, {}};
    }
    if (starts_with(what, "crafted nested signed message")) {
        return {{job(row, "tb", fails(Sig::invalid))}, {}};
    }
    if (starts_with(what, "hand-crafted nested message")) {
        if (name == "alice.env.mixed.dsig.SHA256.multipart.eml" ||
            starts_with(name, "outer-pgp-sig-inner-smime-enc")) {
            // The envelope inside is for an earlier Bob key (issuer "NSS Test CA", serial
            // 0x28; `openssl cms -decrypt` with today's Bob.p12 fails too, "bad decrypt"), so
            // nothing more than a clean outcome can be asked: for the outer-pgp-sig files that
            // is "no key for any recipient" after the OpenPGP signature was stepped over.
            return {{job(row, "tb", fails(Sig::invalid_or_absent))}, {}};
        }
        return {{job(row, "tb", opens(true, std::string(kAliceToBob), Sig::invalid_or_absent))},
                {}};
    }
    if (starts_with(what, "multipart/alternative with two enveloped parts")) {
        Expectation e;
        e.outcome = Outcome::efail;
        e.encrypted = true;
        e.text = "SECRET-TEXT";  // must be found in its own part, never at the top
        return {{job(row, "tb", e)}, {}};
    }
    return {};
}

// The text inside each KDE message, as `openssl smime -decrypt` / `-verify -noverify` with the
// derived key shows it (checked by hand when this test was written).
const std::map<std::string, std::string>& kde_texts() {
    static const std::map<std::string, std::string> texts = {
        {"smime-encrypted.mbox", "The quick brown fox jumped over the lazy dog."},
        {"smime-encrypted-octet-stream.mbox", "The quick brown fox jumped over the lazy dog."},
        {"smime-opaque-enc+sign.mbox", "Encrypted and signed mail."},
        {"smime-opaque-sign.mbox", "A simple signed only test."},
        {"smime-opaque-signed-encrypted-attachment.mbox",
         "This is an Opaque S/MIME encrypted and signed message with attachment"},
        {"smime-signed-encrypted.mbox", "encrypted message text"},
        {"404698-smime.mbox", "The quick brown fox jumped over the lazy dog."},
    };
    return texts;
}

Planned plan_kde(const Row& row, const fs::path& corpus) {
    if (!starts_with(row.what, "KMail/gpgsm S/MIME message"))
        return {};
    const std::string name = file_name(row);
    if (starts_with(row.expected, "MUST fail gracefully")) {
        return {{job(row, "kde", fails(Sig::invalid_or_absent))}, {}};
    }
    if (starts_with(row.expected, "signature INVALID")) {
        return {{job(row, "kde", fails(Sig::invalid))}, {}};
    }
    // The structure KDE's own test expects (.tree), else what the `expected` column says.
    const auto tree = read_bytes(corpus / (row.path + ".tree"));
    bool encrypted = contains(row.expected, "decrypt");
    Sig sig = Sig::unchecked;
    if (tree) {
        encrypted = contains(*tree, "EncryptedMessagePart");
        sig = contains(*tree, "SignedMessagePart") ? Sig::valid : Sig::absent;
    }
    const auto text = kde_texts().find(name);
    return {{job(row, "kde",
                 opens(encrypted, text == kde_texts().end() ? std::string() : text->second, sig))},
            {}};
}

Planned plan_mimekit(const Row& row, const fs::path&) {
    if (starts_with(row.what, "real Thunderbird multipart/signed message")) {
        // Trust is not checked: the signer's certificate expired in 2014.
        return {{job(row, "startcom",
                     opens(false, "This message is being generated and signed by Thunderbird",
                           Sig::valid))},
                {}};
    }
    if (starts_with(row.what, "AS2 (OpenText GXS) multipart/signed")) {
        // AS2 (business-to-business HTTP, not mail): the signature part is raw DER without a
        // transfer encoding, which OpenSSL's SMIME_read_CMS always base64-decodes. No mail
        // client sends this; a clean rejection is what we ask for now.
        return {{job(row, "startcom",
                     with_gap(opens(false, "This is a test from OT GXS.", Sig::valid),
                              "AS2 raw DER signature part (not a mail format)", kNotOpened))},
                {}};
    }
    return {};
}

Planned plan_bouncycastle(const Row& row, const fs::path& corpus) {
    const std::string& what = row.what;
    const std::string text(kExContent);
    const Wrap wrap = wrap_for(corpus / row.path);
    if (starts_with(what, "RFC 4134 example: ContentInfo/data") ||
        starts_with(what, "RFC 4134 example: DigestedData")) {
        return {{job(row, "rfc4134", only_clean("neither signed nor encrypted"), wrap)}, {}};
    }
    if (starts_with(what, "RFC 4134 example: SignedData, detached content")) {
        Job j = job(row, "rfc4134", opens(false, text, Sig::valid), Wrap::detached);
        j.content =
            read_bytes(corpus / fs::path(row.path).parent_path() / "ExContent.bin").value_or("");
        return {{j}, {}};
    }
    if (starts_with(what, "RFC 4134 example: SignedData, multiple signers incl. DianeDSS")) {
        return {{job(row, "rfc4134",
                     with_gap(opens(false, text, Sig::valid),
                              "DSA parameter inheritance (DianeDSS from CarlDSS): OpenSSL 3.0 "
                              "cannot verify it (MANIFEST.md section 2)",
                              kSignatureNotValid),
                     wrap)},
                {}};
    }
    if (starts_with(what, "RFC 4134 example: SignedData") ||
        starts_with(what, "RFC 4134 example: S/MIME multipart/signed") ||
        starts_with(what, "RFC 4134 example: S/MIME application/pkcs7-mime signed")) {
        return {{job(row, "rfc4134", opens(false, text, Sig::valid), wrap)}, {}};
    }
    if (starts_with(what, "RFC 4134 example: EnvelopedData") ||
        starts_with(what, "RFC 4134 example: S/MIME application/pkcs7-mime enveloped")) {
        return {{job(row, "rfc4134", opens(true, text, Sig::absent), wrap)}, {}};
    }
    if (starts_with(what, "RFC 4134 example: EncryptedData")) {
        return {{job(row, "rfc4134", rejected(), wrap)}, {}};
    }
    if (starts_with(what, "CMS SignedData with ML-DSA")) {
        return {{job(row, "rfc4134",
                     only_clean("ML-DSA: OpenSSL 3.0 cannot verify it, and the signer "
                                "certificate is only in pkix/cert/mldsa"),
                     Wrap::cms)},
                {}};
    }
    return {};
}

Planned plan_rfc9216(const Row& row, const fs::path&) {
    if (!ends_with(row.what, "[DER]") && !ends_with(row.what, "[PEM]"))
        return {};
    const std::string stem = fs::path(row.path).stem().string();
    const std::string text(kExContent);
    const std::string ed25519 =
        "Ed25519 CMS signatures: OpenSSL 3.0 fails where python-cryptography verifies "
        "(MANIFEST.md section 3)";
    if (stem == "encryptedForBobRSAOaep") {
        return {{job(row, "lamps-bob", opens(true, text, Sig::absent), Wrap::cms)}, {}};
    }
    if (stem == "encryptedForBobAndDana") {
        Job bob = job(row, "lamps-bob", opens(true, text, Sig::absent), Wrap::cms);
        bob.label += " (as Bob)";
        Job dana =
            job(row, "lamps-dana",
                with_gap(opens(true, text, Sig::absent),
                         "X25519 key agreement (RFC 8418): unsupported in OpenSSL 3.0", kNotOpened),
                Wrap::cms);
        dana.label += " (as Dana)";
        return {{bob, dana}, {}};
    }
    if (stem == "authEnvelopedForBobChaCha20Poly1305") {
        return {{job(row, "lamps-bob",
                     with_gap(opens(true, text, Sig::absent),
                              "ChaCha20-Poly1305 AuthEnvelopedData: unsupported in OpenSSL 3.0",
                              kNotOpened),
                     Wrap::cms)},
                {}};
    }
    if (stem == "authEnvelopedForDanaX25519HKDF") {
        return {
            {job(row, "lamps-dana",
                 with_gap(opens(true, text, Sig::absent),
                          "X25519 + HKDF key agreement: unsupported in OpenSSL 3.0", kNotOpened),
                 Wrap::cms)},
            {}};
    }
    if (stem == "encryptedKekri") {
        return {{job(row, "lamps-bob", rejected(std::string(kNoKey)), Wrap::cms)}, {}};
    }
    if (stem == "signedByAliceRSA" || stem == "signedByAliceRSAPSS") {
        return {{job(row, "lamps-bob", opens(false, text, Sig::valid), Wrap::cms)}, {}};
    }
    if (stem == "signedByCarlosEd25519") {
        return {
            {job(row, "lamps-bob",
                 with_gap(opens(false, text, Sig::valid), ed25519, kSignatureNotValid), Wrap::cms)},
            {}};
    }
    if (stem == "signedByCarlosDetached") {
        Job j = job(row, "lamps-bob",
                    with_gap(opens(false, text, Sig::valid), ed25519, kSignatureNotValid),
                    Wrap::detached);
        j.content = text;  // the manifest: "valid with content 'This is some sample content.'"
        return {{j}, {}};
    }
    if (stem == "signedByAliceAndCarlosNoCerts") {
        return {{job(row, "lamps-bob",
                     with_gap(opens(false, text, Sig::valid),
                              "no certificate in the message and the CLI takes no signer "
                              "certificates; Carlos signs with Ed25519",
                              kSignatureNotValid),
                     Wrap::cms)},
                {}};
    }
    return {};
}

Planned plan_pyca(const Row& row, const fs::path&) {
    if (starts_with(row.what, "PKCS#7 EnvelopedData (pyca/cryptography main branch")) {
        return {{job(row, "pyca-rsa-ca", opens(true, "Hello", Sig::absent), Wrap::cms)}, {}};
    }
    if (starts_with(row.what, "PKCS#7 EnvelopedData to early draft-lamps-samples keys")) {
        return {{job(row, "none", rejected(std::string(kNoKey)), Wrap::cms)}, {}};
    }
    if (starts_with(row.what, "application/pkcs7-mime signed-data WITHOUT eContent")) {
        return {{job(row, "none", fails(Sig::invalid_or_absent))}, {}};
    }
    return {};
}

Planned plan_openssl(const Row& row, const fs::path& corpus) {
    const std::string name = file_name(row);
    const Wrap wrap = wrap_for(corpus / row.path);
    if (name == "ciphertext_from_1_1_1.cms") {
        return {{job(row, "smec3", opens(true, "Somewhat longer test content", Sig::absent), wrap)},
                {}};
    }
    if (name == "bad_signtime_attr.cms" || name == "ct_multiple_attr.cms" ||
        name == "no_ct_attr.cms" || name == "no_md_attr.cms" || name == "pkcs7-md4.pem" ||
        name == "pkcs7-1.pem") {
        return {{job(row, "none", fails(Sig::invalid), wrap)}, {}};
    }
    if (name == "pkcs7-empty-digest-set.eml") {
        return {{job(row, "none", fails(Sig::invalid_or_absent), wrap)}, {}};
    }
    if (name == "dh-malformed.der")
        return {{job(row, "dh", rejected(), wrap)}, {}};
    if (name == "ecdh-malformed.der")
        return {{job(row, "ecdh", rejected(), wrap)}, {}};
    if (name == "rsa-malformed.der") {
        return {{job(row, "smrsa3", only_clean("must not crash (fail or garbage)"), wrap)}, {}};
    }
    if (name == "pkcs7-md4-encrypted.pem")
        return {{job(row, "ee", rejected(), wrap)}, {}};
    if (name == "encDataWithTooLongIV.pem")
        return {{job(row, "server", rejected(), wrap)}, {}};
    if (name == "cms_pwri_kek_oob.der" || name == "missing-kdf.der" ||
        name == "enveloped-content-type-for-aes-gcm.pem" || name == "encryptedData.der") {
        return {{job(row, "none", rejected(), wrap)}, {}};
    }
    if (name == "SignedInvalidMappingFromanyPolicyTest7.eml") {
        Expectation e;
        e.outcome = Outcome::untrusted;
        e.known_gap = "certificate policy processing: the product has no policy input";
        e.gap_excuses.emplace_back(kValidAndTrusted);
        return {{job(row, "pkits-ta", e, wrap)}, {}};
    }
    return {};
}

Planned plan_libksba(const Row& row, const fs::path& corpus) {
    const std::string name = file_name(row);
    const Wrap wrap = wrap_for(corpus / row.path);
    if (name == "rsa-sample1.p7s") {
        return {{job(row, "none", opens(false, "Far back in the mists of ancient time", Sig::valid),
                     wrap)},
                {}};
    }
    if (name == "rsa-sample1.p7m" || name == "ecdh-sample1.p7m") {
        return {{job(row, "none", rejected(std::string(kNoKey)), wrap)}, {}};
    }
    if (name == "ecdsa-sample1.p7s" || name == "detached-sig.cms") {
        // Detached signatures whose content the corpus does not have.
        return {{job(row, "none", fails(Sig::invalid_or_absent), wrap)}, {}};
    }
    return {};
}

Planned plan_m2crypto(const Row& row, const fs::path&) {
    if (starts_with(row.what, "S/MIME multipart/signed (M2Crypto)")) {
        return {{job(row, "m2crypto-ca",
                     opens(false, "This directory contains unit tests for M2Crypto", Sig::valid,
                           false))},
                {}};
    }
    return {};
}

// PKITS tests that only revocation (CRL) or certificate-policy processing rejects; the product
// is given neither CRLs nor policies (MANIFEST.md section 5: OpenSSL needed -crl_check_all
// -extended_crl -use_deltas -policy_check for them).
bool pkits_needs_crl_or_policy(const std::string& name) {
    static const char* const kWords[] = {"CRL",
                                         "crl",
                                         "cRL",
                                         "Revoked",
                                         "distributionPoint",
                                         "onlySomeReasons",
                                         "onlyContains",
                                         "SerialNumber",
                                         "Polic",
                                         "BasicSelfIssued"};
    return std::any_of(std::begin(kWords), std::end(kWords),
                       [&](const char* w) { return contains(name, w); });
}

Planned plan_pkits(const Row& row, const fs::path&) {
    if (!starts_with(row.what, "PKITS S/MIME signed message"))
        return {};
    const std::string name = fs::path(row.path).stem().string();
    const std::string text = "This is a sample signed message.";
    Expectation e = opens(false, text, Sig::valid);
    if (starts_with(name, "SignedValid")) {
        e.trusted = true;
    } else if (starts_with(name, "SignedInvalid")) {
        e.trusted = false;
        if (pkits_needs_crl_or_policy(name)) {
            e = with_gap(e, "rejected only by CRL or certificate-policy processing",
                         kTrustedAfterAll);
        }
    }
    if (name == "SignedValidDSAParameterInheritanceTest5") {
        e = with_gap(e, "DSA parameter inheritance: OpenSSL 3.0 cannot verify it",
                     kSignatureNotValid);
    }
    return {{job(row, "pkits-ta", e)}, {}};
}

struct FolderSpec {
    std::string folder;
    std::vector<KeyringSpec> keyrings;
    std::function<Planned(const Row&, const fs::path&)> plan;
};

IdentitySpec built(std::string name, std::string cert, std::string key) {
    return IdentitySpec{
        std::move(name), {}, std::string(kBuiltPassword), std::move(cert), std::move(key)};
}

const std::vector<FolderSpec>& folders() {
    static const std::vector<FolderSpec> specs = [] {
        const std::string tb = "thunderbird-comm-central/";
        const std::string r4134 = "bouncycastle-bc-test-data/rfc4134/";
        const std::string lamps = "rfc9216-lamps-examples-cms/certs-and-keys/lamps-";
        const std::string ossl = "openssl/test/";
        const std::string cms = ossl + "recipes/80-test_cms_data/";
        const std::string kde = "kde-messagelib/DERIVED-by-corpus-builder/";
        const std::string pyca = "pyca-cryptography-vectors/x509/custom/ca/";
        const KeyringSpec none{"none", {}, {}};
        auto p12 = [](std::string path, std::string password) {
            return IdentitySpec{
                fs::path(path).filename().string(), path, std::move(password), {}, {}};
        };
        auto keyring = [](std::string name, std::vector<std::string> cas,
                          std::vector<IdentitySpec> ids) {
            return KeyringSpec{std::move(name), std::move(cas), std::move(ids)};
        };
        auto one = [&](std::string name, std::string cert, std::string key) {
            return keyring(name, {}, {built(name, std::move(cert), std::move(key))});
        };
        std::vector<FolderSpec> out;
        // One store as a helpdesk would have it: Bob, Fran and Fran-ec side by side, and the
        // product picks the identity a RecipientInfo names.
        out.push_back(
            {"thunderbird-comm-central",
             {keyring("tb", {tb + "smime/TestCA.pem"},
                      {p12(tb + "smime/Bob.p12", "nss"), p12(tb + "smime-interop/Fran.p12", "nss"),
                       p12(tb + "smime-interop/Fran-ec.p12", "nss")})},
             plan_thunderbird});
        out.push_back({"kde-messagelib",
                       {keyring("kde", {kde + "unittest-cert-exported-by-gpgsm.pem"},
                                {p12(kde + "unittest-exported-by-gpgsm.p12", "kdetest")})},
                       plan_kde});
        out.push_back({"mimekit",
                       {keyring("startcom",
                                {"mimekit/StartComCertificationAuthority.crt",
                                 "mimekit/StartComClass1PrimaryIntermediateClientCA.crt"},
                                {})},
                       plan_mimekit});
        out.push_back({"gmime", {}, [](const Row&, const fs::path&) { return Planned{}; }});
        out.push_back({"bouncycastle-bc-test-data",
                       {keyring("rfc4134", {r4134 + "CarlRSASelf.cer", r4134 + "CarlDSSSelf.cer"},
                                {built("Bob (RFC 4134 .pri/.cer)", r4134 + "BobRSASignByCarl.cer",
                                       r4134 + "BobPrivRSAEncrypt.pri")})},
                       plan_bouncycastle});
        out.push_back(
            {"rfc9216-lamps-examples-cms",
             {one("lamps-bob", lamps + "bob.encrypt.crt", lamps + "bob.decrypt.p8.pem"),
              one("lamps-dana", lamps + "dana.encrypt.crt", lamps + "dana.decrypt.p8.pem")},
             plan_rfc9216});
        out.push_back({"pyca-cryptography-vectors",
                       {none, one("pyca-rsa-ca", pyca + "rsa_ca.pem", pyca + "rsa_key.pem")},
                       plan_pyca});
        out.push_back(
            {"openssl",
             {none, one("smec3", ossl + "smime-certs/smec3.pem", ossl + "smime-certs/smec3.pem"),
              one("smrsa3", ossl + "smime-certs/smrsa3.pem", ossl + "smime-certs/smrsa3.pem"),
              one("dh", cms + "dh-cert.pem", cms + "dh-key.pem"),
              one("ecdh", cms + "ecdh-cert.pem", cms + "ecdh-key.pem"),
              one("ee", ossl + "certs/ee-cert.pem", ossl + "certs/ee-key.pem"),
              one("server", ossl + "certs/servercert.pem", ossl + "certs/serverkey.pem"),
              keyring("pkits-ta", {ossl + "certs/pkitsta.pem"}, {})},
             plan_openssl});
        out.push_back({"libksba", {none}, plan_libksba});
        out.push_back(
            {"m2crypto", {keyring("m2crypto-ca", {"m2crypto/tests/ca.pem"}, {})}, plan_m2crypto});
        out.push_back(
            {"nist-pkits",
             {keyring("pkits-ta", {"nist-pkits/certs/TrustAnchorRootCertificate.crt"}, {})},
             plan_pkits});
        out.push_back({"botan", {}, [](const Row&, const fs::path&) { return Planned{}; }});
        return out;
    }();
    return specs;
}

std::string folder_of(const Row& row) {
    return row.path.substr(0, row.path.find('/'));
}

const FolderSpec* spec_for(const std::string& folder) {
    for (const auto& f : folders()) {
        if (f.folder == folder)
            return &f;
    }
    return nullptr;
}

// Every row: the jobs, or why it is not run. An empty result (no jobs, no reason) is a row
// this test does not know.
Planned plan_row(const Row& row, const fs::path& corpus) {
    if (starts_with(row.path, "_verification/"))
        return {{}, "verification record"};
    if (auto reason = not_a_message(row))
        return {{}, *reason};
    const FolderSpec* spec = spec_for(folder_of(row));
    return spec != nullptr ? spec->plan(row, corpus) : Planned{};
}

// ---------------------------------------------------------------------------------------------
// Building the mails

constexpr char kBase64Alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string base64_lines(const std::string& bytes) {
    std::string out, line;
    for (std::size_t i = 0; i < bytes.size(); i += 3) {
        const unsigned n =
            static_cast<unsigned char>(bytes[i]) << 16 |
            (i + 1 < bytes.size() ? static_cast<unsigned char>(bytes[i + 1]) << 8 : 0) |
            (i + 2 < bytes.size() ? static_cast<unsigned char>(bytes[i + 2]) : 0);
        line += kBase64Alphabet[(n >> 18) & 63];
        line += kBase64Alphabet[(n >> 12) & 63];
        line += i + 1 < bytes.size() ? kBase64Alphabet[(n >> 6) & 63] : '=';
        line += i + 2 < bytes.size() ? kBase64Alphabet[n & 63] : '=';
        if (line.size() >= 64) {
            out += line + "\r\n";
            line.clear();
        }
    }
    if (!line.empty())
        out += line + "\r\n";
    return out;
}

std::optional<std::string> base64_decode(std::string_view text) {
    std::string out;
    unsigned buffer = 0;
    int bits = 0;
    for (char c : text) {
        if (c == '=' || c == '\r' || c == '\n' || c == ' ' || c == '\t')
            continue;
        const char* at = c == '\0' ? nullptr : std::strchr(kBase64Alphabet, c);
        if (at == nullptr)
            return std::nullopt;
        buffer = buffer << 6 | static_cast<unsigned>(at - kBase64Alphabet);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out += static_cast<char>((buffer >> bits) & 0xff);
        }
    }
    return out;
}

// The DER of a CMS file: the file itself, or the first PEM block in it (BC's ML-DSA files are
// text around one).
std::optional<std::string> cms_der(const std::string& bytes) {
    const auto begin = bytes.find("-----BEGIN ");
    if (begin == std::string::npos)
        return bytes;
    const auto body = bytes.find('\n', begin);
    const auto end = bytes.find("-----END ", body);
    if (body == std::string::npos || end == std::string::npos)
        return std::nullopt;
    return base64_decode(std::string_view(bytes).substr(body + 1, end - body - 1));
}

// RFC 8551 section 3.2.2 smime-type from the ContentInfo's contentType OID.
std::string smime_type_of(const std::string& der) {
    if (der.size() < 4 || static_cast<unsigned char>(der[0]) != 0x30)
        return {};
    std::size_t at = 2;
    const auto first = static_cast<unsigned char>(der[1]);
    if (first > 0x80)
        at += first & 0x7f;
    if (at + 2 > der.size() || der[at] != 0x06)
        return {};
    const std::size_t length = static_cast<unsigned char>(der[at + 1]);
    const std::string oid = der.substr(at + 2, length);
    if (oid == "\x2a\x86\x48\x86\xf7\x0d\x01\x07\x02")
        return "signed-data";
    if (oid == "\x2a\x86\x48\x86\xf7\x0d\x01\x07\x03")
        return "enveloped-data";
    if (oid == std::string("\x2a\x86\x48\x86\xf7\x0d\x01\x09\x10\x01\x17", 11)) {
        return "authEnveloped-data";
    }
    return {};  // data, digested-data, encrypted-data, signedAndEnveloped-data
}

std::string mail_headers(const Job& j) {
    return "From: corpus-test@example.invalid\r\n"
           "To: recipient@example.invalid\r\n"
           "Subject: " +
           j.row->path +
           " (wrapped by corpus_messages_test)\r\n"
           "MIME-Version: 1.0\r\n";
}

// The file given to `mail decrypt --in`: the corpus file itself, or a wrapped copy in `dir`.
std::optional<fs::path> message_for(const Job& j, const fs::path& corpus, const fs::path& dir,
                                    std::string& error) {
    const fs::path file = corpus / j.row->path;
    if (j.wrap == Wrap::as_is)
        return file;
    const auto bytes = read_bytes(file);
    const auto der = bytes ? cms_der(*bytes) : std::nullopt;
    if (!der || der->empty()) {
        error = "cannot read the CMS in " + file.string();
        return std::nullopt;
    }
    if (j.wrap == Wrap::detached && j.content.empty()) {
        error = "no content for the detached signature " + file.string();
        return std::nullopt;
    }
    std::string mail = mail_headers(j);
    if (j.wrap == Wrap::cms) {
        const std::string type = smime_type_of(*der);
        mail += "Content-Type: application/pkcs7-mime; " +
                (type.empty() ? std::string() : "smime-type=" + type + "; ") +
                "name=smime.p7m\r\n"
                "Content-Transfer-Encoding: base64\r\n"
                "Content-Disposition: attachment; filename=smime.p7m\r\n\r\n" +
                base64_lines(*der);
    } else {
        // The verifier takes the digest algorithm from the SignerInfo, not from micalg.
        const std::string boundary = "corpus-detached-signature";
        mail +=
            "Content-Type: multipart/signed; protocol=\"application/pkcs7-signature\"; "
            "micalg=sha-256; boundary=\"" +
            boundary +
            "\"\r\n\r\n"
            "--" +
            boundary + "\r\n" + j.content + "\r\n--" + boundary +
            "\r\n"
            "Content-Type: application/pkcs7-signature; name=smime.p7s\r\n"
            "Content-Transfer-Encoding: base64\r\n"
            "Content-Disposition: attachment; filename=smime.p7s\r\n\r\n" +
            base64_lines(*der) + "--" + boundary + "--\r\n";
    }
    const fs::path out = dir / "message.eml";
    write_file(out, mail);
    return out;
}

// ---------------------------------------------------------------------------------------------
// Preparing keyrings (on the test thread: gtest assertions allowed)

struct Keyring {
    std::string name;
    fs::path data_dir;
    std::optional<fs::path> p12;  // for --p12 when the import policy refused the identity
    fs::path password_file;       // of that p12
    std::string note;             // for the summary
};

bool is_pem(const fs::path& file) {
    return contains(read_bytes(file).value_or("").substr(0, 1 << 16), "-----BEGIN ");
}

// A .p12 made by the openssl CLI from a certificate and key in the corpus (PEM or DER).
fs::path build_p12(const IdentitySpec& id, const fs::path& corpus, const fs::path& dir) {
    const fs::path cert = corpus / id.cert, key = corpus / id.key;
    const fs::path cert_pem = dir / "identity-cert.pem", key_pem = dir / "identity-key.pem";
    const fs::path p12 = dir / "identity.p12";
    shell("openssl x509 " + std::string(is_pem(cert) ? "" : "-inform DER ") + "-in " +
          quote(cert.string()) + " -out " + quote(cert_pem.string()) + " 2>&1");
    shell("openssl pkey " + std::string(is_pem(key) ? "" : "-inform DER ") + "-in " +
          quote(key.string()) + " -out " + quote(key_pem.string()) + " 2>&1");
    shell("openssl pkcs12 -export -inkey " + quote(key_pem.string()) + " -in " +
          quote(cert_pem.string()) + " -passout " + quote("pass:" + id.password) + " -out " +
          quote(p12.string()) + " 2>&1");
    return p12;
}

std::string first_error_line(const std::string& err) {
    std::istringstream lines(err);
    std::string line;
    while (std::getline(lines, line)) {
        if (starts_with(line, "error: "))
            return line;
    }
    return err.substr(0, 300);
}

Keyring prepare_keyring(const KeyringSpec& spec, const fs::path& corpus, const fs::path& root) {
    Keyring k;
    k.name = spec.name;
    const fs::path dir = root / ("keyring-" + spec.name);
    fs::create_directories(dir);
    k.data_dir = dir / "data";
    std::vector<std::string> notes;
    for (const auto& ca : spec.cas) {
        const auto r = run_cli(
            {"--data-dir", k.data_dir.string(), "cert", "import-ca", (corpus / ca).string()}, {},
            cli_environment());
        EXPECT_TRUE(!r.signaled && r.exit_code == kExitOk)
            << "keyring " << spec.name << ": the trust anchor " << ca
            << " the manifest names was not imported\n  stderr: " << r.err;
        notes.push_back(
            "CA " + fs::path(ca).filename().string() +
            (r.exit_code == kExitOk ? "" : " NOT IMPORTED (" + first_error_line(r.err) + ")"));
    }
    for (std::size_t i = 0; i < spec.identities.size(); ++i) {
        const IdentitySpec& id = spec.identities[i];
        const fs::path id_dir = dir / ("identity-" + std::to_string(i));
        fs::create_directories(id_dir);
        const fs::path p12 = id.p12.empty() ? build_p12(id, corpus, id_dir) : corpus / id.p12;
        const fs::path password_file = id_dir / "password";
        write_file(password_file, id.password);
        const auto r = run_cli({"--data-dir", k.data_dir.string(), "cert", "import-server",
                                p12.string(), "--password-file", password_file.string()},
                               {}, cli_environment());
        EXPECT_FALSE(r.signaled) << "import-server of " << id.name << " crashed\n" << r.err;
        EXPECT_TRUE(r.exit_code == kExitOk || r.exit_code == kExitRejected)
            << "import-server of " << id.name << ": exit " << r.exit_code << "\n"
            << r.err;
        if (r.exit_code == kExitOk) {
            notes.push_back(id.name + " imported");
        } else if (!k.p12) {
            k.p12 = p12;
            k.password_file = password_file;
            notes.push_back(id.name + " refused by import-server (" + first_error_line(r.err) +
                            "), given with --p12");
        } else {
            ADD_FAILURE() << "keyring " << spec.name << ": a second identity refused by the "
                          << "import policy cannot be given with --p12 as well: " << id.name;
        }
    }
    if (!fs::exists(k.data_dir)) {
        // No CA and no identity imported: let one harmless command create the store.
        run_cli({"--data-dir", k.data_dir.string(), "cert", "list", "--json"}, {},
                cli_environment());
        fs::create_directories(k.data_dir);
    }
    for (const auto& n : notes)
        k.note += (k.note.empty() ? "" : "; ") + n;
    if (k.note.empty())
        k.note = "no key, no CA";
    return k;
}

// ---------------------------------------------------------------------------------------------
// Running (worker threads: no gtest assertions)

struct Run {
    const Job* job = nullptr;
    std::vector<std::string> args;
    CliResult cli;
    std::string error;  // the test's own trouble
    double seconds = 0;
    bool used_p12 = false;
    std::string p12;  // its path, when used
};

Run run_job(const Job& j, const Keyring& k, const fs::path& corpus) {
    Run run;
    run.job = &j;
    const auto started = Clock::now();
    try {
        TempDir dir;
        const fs::path data = dir.path() / "data";
        fs::copy(k.data_dir, data, fs::copy_options::recursive);
        auto message = message_for(j, corpus, dir.path(), run.error);
        if (message) {
            run.args = {"--data-dir", data.string(), "mail", "decrypt"};
            if (k.p12) {
                run.used_p12 = true;
                run.p12 = k.p12->string();
                run.args.insert(run.args.end(), {"--p12", k.p12->string(), "--password-file",
                                                 k.password_file.string()});
            }
            run.args.insert(run.args.end(), {"--in", message->string(), "--out",
                                             (dir.path() / "out.eml").string(), "--json"});
            run.cli = run_cli(run.args, {}, cli_environment());
        }
    } catch (const std::exception& e) {
        run.error = std::string("test harness: ") + e.what();
    }
    run.seconds = std::chrono::duration<double>(Clock::now() - started).count();
    return run;
}

// ---------------------------------------------------------------------------------------------
// Checking (test thread)

std::string command_line(const Run& r) {
    std::string out = "casecrypt";
    for (const auto& a : r.args)
        out += " " + a;
    return out;
}

std::string describe(const Run& r) {
    std::ostringstream out;
    out << "file: " << r.job->label << "\n  manifest what: " << r.job->row->what
        << "\n  manifest expected: " << r.job->row->expected
        << "\n  openssl column: " << r.job->row->openssl
        << "\n  test expects: " << describe(r.job->expect) << "\n  keyring: " << r.job->keyring
        << "\n  command: " << command_line(r) << "\n  exit: "
        << (r.cli.signaled ? "signal " + std::to_string(r.cli.signal)
                           : std::to_string(r.cli.exit_code))
        << "\n  stderr: " << r.cli.err << "\n  stdout: " << r.cli.out.substr(0, 4000);
    return out.str();
}

// The never-crash rule. Returns problems (empty: fine).
std::vector<std::string> process_problems(const Run& r) {
    std::vector<std::string> p;
    if (!r.error.empty()) {
        p.push_back(r.error);
        return p;
    }
    if (r.cli.signaled)
        p.push_back("CRASH: killed by signal " + std::to_string(r.cli.signal));
    if (contains(r.cli.err, "Sanitizer") || contains(r.cli.err, "runtime error:")) {
        p.push_back("sanitizer report on stderr");
    }
    if (!r.cli.signaled && r.cli.exit_code != kExitOk && r.cli.exit_code != kExitRejected) {
        p.push_back("exit " + std::to_string(r.cli.exit_code) + " (only 0 or 3 are allowed)");
    }
    if (!r.cli.signaled && r.cli.exit_code == kExitRejected &&
        !(starts_with(r.cli.err, "error: ") && r.cli.err.size() > 17)) {
        p.push_back("exit 3 without an `error: <sentence>` on stderr");
    }
    if (r.seconds >= kMaxSecondsPerRun) {
        p.push_back("took " + std::to_string(r.seconds) + " s (must not hang)");
    }
    return p;
}

struct Report {
    bool ok = false;
    nlohmann::json json;
    std::string problem;
};

Report parse_report(const Run& r) {
    Report out;
    try {
        out.json = nlohmann::json::parse(r.cli.out);
        if (!out.json.is_object() || !out.json.contains("encrypted") ||
            !out.json.contains("text") || !out.json.contains("signature")) {
            out.problem = "exit 0 but the JSON report lacks encrypted/text/signature";
            return out;
        }
        out.ok = true;
    } catch (const nlohmann::json::exception& e) {
        out.problem = std::string("exit 0 but stdout is no JSON report (") + e.what() + ")";
    }
    return out;
}

bool text_found(const nlohmann::json& j, const std::string& text) {
    if (j["text"].is_string() && contains(j["text"].get<std::string>(), text))
        return true;
    if (j.value("mixed_parts", false) && j.contains("parts") && j["parts"].is_array()) {
        for (const auto& part : j["parts"]) {
            if (part.contains("text") && part["text"].is_string() &&
                contains(part["text"].get<std::string>(), text)) {
                return true;
            }
        }
    }
    return false;
}

std::string signature_text(const nlohmann::json& sig) {
    if (sig.is_null())
        return "none";
    return std::string(sig.value("valid", false) ? "valid" : "INVALID") + ", " +
           (sig.value("trusted", false) ? "trusted" : "not trusted") + ", signer " +
           sig.value("signer", std::string("?")) +
           (sig.value("problem", std::string()).empty()
                ? std::string()
                : " (" + sig.value("problem", std::string()) + ")");
}

// Problems with the signature against the expectation.
void check_signature(const nlohmann::json& sig, Sig want, std::optional<bool> trusted,
                     std::vector<std::string>& p) {
    const bool present = sig.is_object();
    const bool valid = present && sig.value("valid", false);
    const std::string problem = present ? sig.value("problem", std::string()) : std::string();
    switch (want) {
        case Sig::unchecked:
            break;
        case Sig::absent:
            if (present)
                p.push_back("a signature was reported: " + signature_text(sig));
            break;
        case Sig::valid:
            if (!valid)
                p.push_back("signature not valid: " + signature_text(sig));
            break;
        case Sig::valid_or_sha1_policy:
            if (!valid && !(present && (contains(lower(problem), "sha-1") ||
                                        contains(lower(problem), "sha1")))) {
                p.push_back("signature not valid (and not for SHA-1 policy): " +
                            signature_text(sig));
            }
            break;
        case Sig::invalid:
            if (!present)
                p.push_back("no signature reported (expected one reported invalid)");
            if (valid)
                p.push_back("signature reported valid: " + signature_text(sig));
            break;
        case Sig::invalid_or_absent:
            if (valid)
                p.push_back("signature reported valid: " + signature_text(sig));
            break;
    }
    if (trusted && present && valid && sig.value("trusted", false) != *trusted) {
        p.push_back(std::string("signature ") + (*trusted ? "not trusted" : "trusted") +
                    " (expected " + (*trusted ? "trusted" : "not trusted") +
                    "): " + signature_text(sig));
    }
    if (trusted && *trusted && !present)
        p.push_back("no signature reported (expected trusted)");
}

// Problems with the outcome against the expectation (the process was clean).
std::vector<std::string> outcome_problems(const Run& r) {
    const Expectation& e = r.job->expect;
    std::vector<std::string> p;
    const int code = r.cli.exit_code;
    const std::string error = first_error_line(r.cli.err);
    Report report;
    if (code == kExitOk) {
        report = parse_report(r);
        if (!report.ok) {
            p.push_back(report.problem);
            return p;
        }
    }
    const nlohmann::json& j = report.json;
    switch (e.outcome) {
        case Outcome::clean:
            break;
        case Outcome::rejected:
            if (code != kExitRejected) {
                p.push_back("expected a rejection (exit 3), got exit 0");
            } else if (!e.error_needle.empty() && !contains(error, e.error_needle)) {
                p.push_back("rejected, but not with '" + e.error_needle + "': " + error);
            }
            break;
        case Outcome::fails:
            if (code == kExitOk)
                check_signature(j["signature"], e.signature, std::nullopt, p);
            break;
        case Outcome::untrusted:
            if (code == kExitOk && j["signature"].is_object() &&
                j["signature"].value("valid", false) && j["signature"].value("trusted", false)) {
                p.push_back("signature reported valid and trusted: " +
                            signature_text(j["signature"]));
            }
            break;
        case Outcome::opens:
        case Outcome::efail:
            if (code != kExitOk) {
                p.push_back("expected exit 0, got exit 3: " + error);
                break;
            }
            if (e.encrypted && j["encrypted"].is_boolean() &&
                j["encrypted"].get<bool>() != *e.encrypted) {
                p.push_back(std::string("`encrypted` is ") + (*e.encrypted ? "false" : "true"));
            }
            if (!e.text.empty() && !text_found(j, e.text)) {
                p.push_back("text '" + e.text + "' not found; text: " +
                            (j["text"].is_string()
                                 ? "'" + j["text"].get<std::string>().substr(0, 200) + "'"
                                 : std::string("null")));
            }
            check_signature(j["signature"], e.signature, e.trusted, p);
            if (e.outcome == Outcome::efail) {
                if (!j.value("mixed_parts", false))
                    p.push_back("`mixed_parts` is not true");
                if (!j["text"].is_null()) {
                    p.push_back("a top-level text was shown for the EFAIL pattern: " +
                                j["text"].dump().substr(0, 200));
                }
                for (const auto& part : j.value("parts", nlohmann::json::array())) {
                    if (part.value("encrypted", false) && !part.value("decrypted", false)) {
                        p.push_back("encrypted part " + std::to_string(part.value("index", -1)) +
                                    " not decrypted: " + part.value("error", std::string()));
                    }
                }
            }
            break;
    }
    return p;
}

// ---------------------------------------------------------------------------------------------
// Tallies

struct Tally {
    int rows_run = 0, runs = 0, skipped_rows = 0;
    int decrypted = 0, verified_valid = 0, verified_invalid = 0, opened_plain = 0, rejected = 0;
    int met = 0, failed = 0, gap_missed = 0, not_exercised = 0;
    double seconds = 0;
    std::map<std::string, int> skipped_by_reason;
    std::map<std::string, int> rejected_by_reason;
    std::vector<std::string> keyrings;
    std::vector<std::string> lines;

    void add(const Tally& o) {
        rows_run += o.rows_run;
        runs += o.runs;
        skipped_rows += o.skipped_rows;
        decrypted += o.decrypted;
        verified_valid += o.verified_valid;
        verified_invalid += o.verified_invalid;
        opened_plain += o.opened_plain;
        rejected += o.rejected;
        met += o.met;
        failed += o.failed;
        gap_missed += o.gap_missed;
        not_exercised += o.not_exercised;
        seconds += o.seconds;
        for (const auto& [k, v] : o.skipped_by_reason)
            skipped_by_reason[k] += v;
        for (const auto& [k, v] : o.rejected_by_reason)
            rejected_by_reason[k] += v;
    }
};

std::mutex g_totals_mutex;
Tally g_totals;
const Clock::time_point g_started = Clock::now();

std::string join_counts(const std::map<std::string, int>& counts) {
    std::string out;
    for (const auto& [k, v] : counts)
        out += (out.empty() ? "" : "; ") + k + " " + std::to_string(v);
    return out.empty() ? "none" : out;
}

// A short name for an error sentence, for the tally.
std::string reason_key(const std::string& error) {
    static const std::pair<const char*, const char*> kKeys[] = {
        {"no key for any recipient", "no key"},
        {"matches no certificate carrying an email address", "--p12 refused (no email address)"},
        {"not a MIME entity", "content not a MIME entity"},
        {"damaged", "damaged"},
        {"not an S/MIME message", "not S/MIME"},
        {"not encrypted", "not enveloped-data"},
        {"nesting limit", "nesting"},
    };
    for (const auto& [needle, key] : kKeys) {
        if (contains(error, needle))
            return key;
    }
    return "other";
}

void print_tally(const std::string& title, const Tally& t, bool details) {
    std::cout << "[messages] " << title << ": " << t.runs << " runs of " << t.rows_run
              << " message rows; " << t.skipped_rows << " rows skipped (not messages)\n"
              << "[messages]   decrypted " << t.decrypted << ", verified valid " << t.verified_valid
              << ", verified invalid " << t.verified_invalid << ", opened without signature "
              << t.opened_plain << ", rejected (exit 3) " << t.rejected << "\n"
              << "[messages]   rejected by reason: " << join_counts(t.rejected_by_reason) << "\n"
              << "[messages]   expectation met " << t.met << " (of which not exercised, the "
              << "--p12 identity being refused: " << t.not_exercised << "), FAILED " << t.failed
              << ", KNOWN GAP " << t.gap_missed << "\n"
              << "[messages]   skipped rows by reason: " << join_counts(t.skipped_by_reason)
              << "\n";
    if (details) {
        for (const auto& k : t.keyrings)
            std::cout << "[messages]   keyring " << k << "\n";
        for (const auto& l : t.lines)
            std::cout << "[messages]   " << l << "\n";
    }
}

class SummaryPrinter : public ::testing::Environment {
public:
    void TearDown() override {
        std::lock_guard lock(g_totals_mutex);
        if (g_totals.runs == 0)
            return;
        print_tally("TOTAL over all folders", g_totals, false);
        std::cout << "[messages]   CLI time summed over runs " << g_totals.seconds
                  << " s; wall time "
                  << std::chrono::duration<double>(Clock::now() - g_started).count() << " s\n";
    }
};

[[maybe_unused]] ::testing::Environment* const g_summary =
    ::testing::AddGlobalTestEnvironment(new SummaryPrinter);

void count(const Run& r, Tally& t) {
    t.runs += 1;
    t.seconds += r.seconds;
    if (!r.error.empty() || r.cli.signaled)
        return;
    if (r.cli.exit_code == kExitRejected) {
        t.rejected += 1;
        t.rejected_by_reason[reason_key(first_error_line(r.cli.err))] += 1;
        return;
    }
    const Report report = parse_report(r);
    if (!report.ok)
        return;
    const auto& j = report.json;
    const bool encrypted = j.value("encrypted", false);
    if (encrypted)
        t.decrypted += 1;
    if (j["signature"].is_object()) {
        (j["signature"].value("valid", false) ? t.verified_valid : t.verified_invalid) += 1;
    } else if (!encrypted) {
        t.opened_plain += 1;
    }
}

std::string outcome_line(const Run& r) {
    if (!r.error.empty())
        return "harness error";
    if (r.cli.signaled)
        return "SIGNAL " + std::to_string(r.cli.signal);
    if (r.cli.exit_code != kExitOk) {
        return "exit " + std::to_string(r.cli.exit_code) + ": " + first_error_line(r.cli.err);
    }
    const Report report = parse_report(r);
    if (!report.ok)
        return report.problem;
    const auto& j = report.json;
    return std::string(j.value("encrypted", false)
                           ? "decrypted (" + j.value("content_cipher", std::string()) + ")"
                           : "not encrypted") +
           (j.value("mixed_parts", false) ? ", mixed parts" : "") + ", signature " +
           signature_text(j["signature"]);
}

// ---------------------------------------------------------------------------------------------
// One folder

void check_folder(const std::string& folder) {
    const fs::path corpus = *corpus_dir();
    const FolderSpec* spec = spec_for(folder);
    ASSERT_NE(spec, nullptr) << folder;
    Tally tally;
    std::vector<Job> jobs;
    std::set<std::string> rows_run;
    for (const Row& row : manifest()) {
        if (folder_of(row) != folder)
            continue;
        ASSERT_TRUE(fs::is_regular_file(corpus / row.path))
            << "the manifest lists " << row.path << " but the corpus has no such file";
        Planned planned = plan_row(row, corpus);
        if (planned.jobs.empty()) {
            tally.skipped_rows += 1;
            tally.skipped_by_reason[planned.skip_reason.empty() ? "UNPLANNED"
                                                                : planned.skip_reason] += 1;
            continue;
        }
        rows_run.insert(row.path);
        for (auto& j : planned.jobs)
            jobs.push_back(std::move(j));
    }
    tally.rows_run = static_cast<int>(rows_run.size());
    if (jobs.empty()) {
        print_tally(folder, tally, true);
        GTEST_SKIP() << folder << " holds no signed or encrypted message ("
                     << join_counts(tally.skipped_by_reason) << ")";
    }

    TempDir root;
    std::map<std::string, Keyring> keyrings;
    for (const auto& ks : spec->keyrings) {
        bool used = std::any_of(jobs.begin(), jobs.end(),
                                [&](const Job& j) { return j.keyring == ks.name; });
        if (!used)
            continue;
        keyrings[ks.name] = prepare_keyring(ks, corpus, root.path());
        tally.keyrings.push_back(ks.name + ": " + keyrings[ks.name].note);
    }
    for (const auto& j : jobs) {
        ASSERT_TRUE(keyrings.count(j.keyring))
            << "no keyring '" << j.keyring << "' for " << j.label;
    }

    std::vector<Run> runs(jobs.size());
    run_parallel(jobs.size(), [&](std::size_t i) {
        runs[i] = run_job(jobs[i], keyrings.at(jobs[i].keyring), corpus);
    });

    for (const Run& r : runs) {
        SCOPED_TRACE(r.job->label);
        count(r, tally);
        const auto process = process_problems(r);
        EXPECT_TRUE(process.empty()) << process.front() << "\n" << describe(r);
        std::vector<std::string> problems = process;
        if (process.empty())
            problems = outcome_problems(r);
        const Expectation& e = r.job->expect;
        const auto excused = [&](const std::string& p) {
            return process.empty() &&
                   std::any_of(e.gap_excuses.begin(), e.gap_excuses.end(),
                               [&](const std::string& x) { return starts_with(p, x); });
        };
        const bool all_excused = std::all_of(problems.begin(), problems.end(), excused);
        // With exit 3 from loading the --p12 identity itself the message was never opened.
        const bool not_exercised = r.used_p12 && !r.cli.signaled &&
                                   r.cli.exit_code == kExitRejected &&
                                   contains(first_error_line(r.cli.err), r.p12);
        std::string status;
        if (problems.empty()) {
            tally.met += 1;
            if (not_exercised)
                tally.not_exercised += 1;
            status = not_exercised ? "ok, NOT EXERCISED (the --p12 identity was refused)" : "ok";
        } else if (all_excused) {
            tally.gap_missed += 1;
            status = "KNOWN GAP (" + e.known_gap + ")";
        } else {
            tally.failed += 1;
            status = "FAILED";
            if (process.empty()) {  // else reported above
                std::string all;
                for (const auto& p : problems)
                    all += "\n  - " + p;
                EXPECT_TRUE(all_excused) << "the manifest's expectation is not met:" << all << "\n"
                                         << describe(r);
            }
        }
        const std::string identity = r.used_p12 ? " [--p12]" : std::string();
        std::string line = status + "  " + r.job->label + identity + "  -> " + outcome_line(r);
        for (const auto& p : problems)
            line += "\n[messages]       - " + p;
        char seconds[32];
        std::snprintf(seconds, sizeof seconds, "  %.2fs", r.seconds);
        line += seconds;
        if (corpus_verbose() || status != "ok")
            tally.lines.push_back(line);
    }
    print_tally(folder, tally, true);
    std::lock_guard lock(g_totals_mutex);
    g_totals.add(tally);
}

// ---------------------------------------------------------------------------------------------
// Tests

// Every manifest row is run or skipped for a stated reason, so new corpus files are not missed.
TEST(CorpusMessages, EveryRowIsPlannedOrSkipped) {
    SKIP_WITHOUT_CORPUS();
    const fs::path corpus = *corpus_dir();
    ASSERT_GT(manifest().size(), 1000u) << "MANIFEST-files.tsv looks truncated";
    std::map<std::string, int> planned_by_folder;
    for (const Row& row : manifest()) {
        const std::string folder = folder_of(row);
        EXPECT_TRUE(folder == "_verification" || spec_for(folder) != nullptr)
            << "a source folder this test does not know: " << folder << "; add a TEST for it";
        const Planned planned = plan_row(row, corpus);
        EXPECT_TRUE(!planned.jobs.empty() || !planned.skip_reason.empty())
            << "no rule runs or skips " << row.path << " (what: " << row.what
            << "; expected: " << row.expected << ")";
        planned_by_folder[folder] += static_cast<int>(planned.jobs.size());
    }
    std::cout << "[messages] runs planned per folder: " << join_counts(planned_by_folder) << "\n";
}

TEST(CorpusMessages, ThunderbirdCommCentral) {
    SKIP_WITHOUT_CORPUS();
    check_folder("thunderbird-comm-central");
}
TEST(CorpusMessages, KdeMessagelib) {
    SKIP_WITHOUT_CORPUS();
    check_folder("kde-messagelib");
}
TEST(CorpusMessages, MimeKit) {
    SKIP_WITHOUT_CORPUS();
    check_folder("mimekit");
}
TEST(CorpusMessages, GMime) {
    SKIP_WITHOUT_CORPUS();
    check_folder("gmime");
}
TEST(CorpusMessages, BouncyCastleTestData) {
    SKIP_WITHOUT_CORPUS();
    check_folder("bouncycastle-bc-test-data");
}
TEST(CorpusMessages, Rfc9216LampsExamples) {
    SKIP_WITHOUT_CORPUS();
    check_folder("rfc9216-lamps-examples-cms");
}
TEST(CorpusMessages, PycaCryptographyVectors) {
    SKIP_WITHOUT_CORPUS();
    check_folder("pyca-cryptography-vectors");
}
TEST(CorpusMessages, OpenSsl) {
    SKIP_WITHOUT_CORPUS();
    check_folder("openssl");
}
TEST(CorpusMessages, Libksba) {
    SKIP_WITHOUT_CORPUS();
    check_folder("libksba");
}
TEST(CorpusMessages, M2Crypto) {
    SKIP_WITHOUT_CORPUS();
    check_folder("m2crypto");
}
TEST(CorpusMessages, NistPkits) {
    SKIP_WITHOUT_CORPUS();
    check_folder("nist-pkits");
}
TEST(CorpusMessages, Botan) {
    SKIP_WITHOUT_CORPUS();
    check_folder("botan");
}

}  // namespace
}  // namespace casecrypt::test
