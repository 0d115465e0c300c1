#include "crypto/certificate.h"

#include <openssl/objects.h>

#include <algorithm>
#include <cctype>
#include <ctime>

#include "crypto/openssl_error.h"
#include "crypto/ossl_ptr.h"

namespace casecrypt::crypto {
namespace {

std::string to_hex(const unsigned char* data, std::size_t size) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out;
    out.reserve(size * 2);
    for (std::size_t i = 0; i < size; ++i) {
        out += kDigits[data[i] >> 4];
        out += kDigits[data[i] & 15];
    }
    return out;
}

std::string asn1_to_utf8(const ASN1_STRING* value) {
    unsigned char* out = nullptr;
    const int n = ASN1_STRING_to_UTF8(&out, value);
    if (n < 0) {
        clear_openssl_errors();
        return {};
    }
    OsslBytesPtr owned(out);
    return std::string(reinterpret_cast<char*>(out), static_cast<std::size_t>(n));
}

// RFC 4514 section 2.4 escaping of one attribute value.
std::string escape_dn_value(const std::string& value) {
    std::string out;
    for (std::size_t i = 0; i < value.size(); ++i) {
        const char c = value[i];
        const bool special = c == ',' || c == '+' || c == '"' || c == '\\' || c == '<' ||
                             c == '>' || c == ';' || (c == '#' && i == 0) ||
                             (c == ' ' && (i == 0 || i + 1 == value.size()));
        if (special) {
            out += '\\';
        }
        if (static_cast<unsigned char>(c) < 0x20) {
            static constexpr char kDigits[] = "0123456789ABCDEF";
            out += '\\';
            out += kDigits[(c >> 4) & 15];
            out += kDigits[c & 15];
            continue;
        }
        out += c;
    }
    return out;
}

// RFC 4514 order (most specific first), emailAddress shown as "E=" as mail clients show it.
std::string format_name(const X509_NAME* name) {
    std::string out;
    const int count = X509_NAME_entry_count(name);
    int previous_set = -1;
    for (int i = count - 1; i >= 0; --i) {
        const X509_NAME_ENTRY* entry = X509_NAME_get_entry(name, i);
        const ASN1_OBJECT* object = X509_NAME_ENTRY_get_object(entry);
        const int nid = OBJ_obj2nid(object);
        std::string key;
        if (nid == NID_pkcs9_emailAddress) {
            key = "E";
        } else if (nid != NID_undef) {
            key = OBJ_nid2sn(nid);
        } else {
            char buffer[128];
            OBJ_obj2txt(buffer, sizeof buffer, object, 1);
            key = buffer;
        }
        const int set = X509_NAME_ENTRY_set(entry);
        if (!out.empty()) {
            out += set == previous_set ? "+" : ", ";
        }
        previous_set = set;
        out += key + "=" + escape_dn_value(asn1_to_utf8(X509_NAME_ENTRY_get_data(entry)));
    }
    return out;
}

TimePoint to_time_point(const ASN1_TIME* time) {
    std::tm tm{};
    if (time == nullptr || ASN1_TIME_to_tm(time, &tm) != 1) {
        clear_openssl_errors();
        return TimePoint{};
    }
    return TimePoint(std::chrono::seconds(timegm(&tm)));
}

bool plausible_address(const std::string& address) {
    const auto at = address.find('@');
    return at != std::string::npos && at > 0 && at + 1 < address.size() &&
           address.find_first_of(" \t\r\n<>,;\"") == std::string::npos &&
           address.find('@', at + 1) == std::string::npos;
}

std::vector<std::string> collect_addresses(X509* x509) {
    std::vector<std::string> addresses;
    auto add = [&](const std::string& raw) {
        const std::string address = normalize_address(raw);
        if (plausible_address(address) &&
            std::find(addresses.begin(), addresses.end(), address) == addresses.end()) {
            addresses.push_back(address);
        }
    };
    const X509_NAME* subject = X509_get_subject_name(x509);
    for (int i = -1; (i = X509_NAME_get_index_by_NID(subject, NID_pkcs9_emailAddress, i)) >= 0;) {
        add(asn1_to_utf8(X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, i))));
    }
    GeneralNamesPtr names(static_cast<GENERAL_NAMES*>(
        X509_get_ext_d2i(x509, NID_subject_alt_name, nullptr, nullptr)));
    clear_openssl_errors();
    for (int i = 0; names && i < sk_GENERAL_NAME_num(names.get()); ++i) {
        const GENERAL_NAME* name = sk_GENERAL_NAME_value(names.get(), i);
        if (name->type == GEN_EMAIL) {
            add(asn1_to_utf8(name->d.rfc822Name));
        }
    }
    return addresses;
}

std::string curve_display_name(const std::string& group) {
    if (group == "prime256v1" || group == "P-256")
        return "P-256";
    if (group == "secp384r1" || group == "P-384")
        return "P-384";
    if (group == "secp521r1" || group == "P-521")
        return "P-521";
    return group;
}

void read_key(X509* x509, CertificateFacts& facts) {
    EVP_PKEY* key = X509_get0_pubkey(x509);  // owned by the certificate
    if (key == nullptr) {
        clear_openssl_errors();
        facts.key_algorithm = "unknown";
        return;
    }
    facts.key_bits = EVP_PKEY_get_bits(key);
    const char* type = EVP_PKEY_get0_type_name(key);
    facts.key_algorithm = type != nullptr ? type : "unknown";
    switch (EVP_PKEY_get_base_id(key)) {
        case EVP_PKEY_RSA:
            facts.key_kind = KeyKind::rsa;
            break;
        case EVP_PKEY_RSA_PSS:
            facts.key_kind = KeyKind::rsa_pss;
            break;
        case EVP_PKEY_EC: {
            facts.key_kind = KeyKind::ec;
            char group[80] = {0};
            size_t length = 0;
            if (EVP_PKEY_get_group_name(key, group, sizeof group, &length) == 1) {
                facts.key_curve = curve_display_name(group);
            }
            break;
        }
        case EVP_PKEY_ED25519:
            facts.key_kind = KeyKind::ed25519;
            break;
        case EVP_PKEY_ED448:
            facts.key_kind = KeyKind::ed448;
            break;
        case EVP_PKEY_X25519:
            facts.key_kind = KeyKind::x25519;
            break;
        case EVP_PKEY_X448:
            facts.key_kind = KeyKind::x448;
            break;
        case EVP_PKEY_DSA:
            facts.key_kind = KeyKind::dsa;
            break;
        default:
            facts.key_kind = KeyKind::other;
            break;
    }
    clear_openssl_errors();
}

}  // namespace

std::string normalize_address(std::string_view address) {
    std::string out(address);
    // Trim surrounding whitespace and angle brackets that some DNs carry.
    const auto first = out.find_first_not_of(" \t<");
    const auto last = out.find_last_not_of(" \t>");
    out = first == std::string::npos ? std::string() : out.substr(first, last - first + 1);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

Result<Certificate> Certificate::from_der(std::string der) {
    const auto* p = reinterpret_cast<const unsigned char*>(der.data());
    X509Ptr x509(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
    if (!x509) {
        return std::unexpected(openssl_error(Errc::rejected, "not an X.509 certificate"));
    }
    // Keep exactly the bytes of the certificate (a file may carry trailing data).
    der.resize(static_cast<std::size_t>(p - reinterpret_cast<const unsigned char*>(der.data())));

    auto facts = std::make_shared<CertificateFacts>();
    facts->der = std::move(der);
    facts->subject = format_name(X509_get_subject_name(x509.get()));
    facts->issuer = format_name(X509_get_issuer_name(x509.get()));

    BignumPtr serial(ASN1_INTEGER_to_BN(X509_get0_serialNumber(x509.get()), nullptr));
    if (serial) {
        OsslStringPtr hex(BN_bn2hex(serial.get()));
        facts->serial = hex ? hex.get() : "";
    }
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int digest_size = 0;
    if (X509_digest(x509.get(), EVP_sha256(), digest, &digest_size) != 1) {
        return std::unexpected(openssl_error(Errc::internal, "cannot compute the fingerprint"));
    }
    facts->fingerprint_sha256 = to_hex(digest, digest_size);
    facts->not_before = to_time_point(X509_get0_notBefore(x509.get()));
    facts->not_after = to_time_point(X509_get0_notAfter(x509.get()));
    read_key(x509.get(), *facts);
    facts->addresses = collect_addresses(x509.get());

    const uint32_t flags = X509_get_extension_flags(x509.get());
    // A CA is what says so (basicConstraints) or may sign certificates (keyCertSign).
    facts->is_ca =
        (flags & EXFLAG_CA) != 0 ||
        ((flags & EXFLAG_KUSAGE) != 0 && (X509_get_key_usage(x509.get()) & KU_KEY_CERT_SIGN) != 0 &&
         (X509_get_key_usage(x509.get()) & (KU_KEY_ENCIPHERMENT | KU_KEY_AGREEMENT)) == 0);
    facts->self_signed = (flags & EXFLAG_SS) != 0;
    if ((flags & EXFLAG_INVALID) != 0) {
        facts->malformed = "has malformed or contradictory extensions";
    }
    const X509_ALGOR* outer_algorithm = nullptr;
    X509_get0_signature(nullptr, &outer_algorithm, x509.get());
    if (outer_algorithm != nullptr &&
        X509_ALGOR_cmp(outer_algorithm, X509_get0_tbs_sigalg(x509.get())) != 0) {
        facts->malformed = "has two signature algorithm fields that disagree (RFC 5280 4.1.1.2)";
    }
    facts->has_key_usage = (flags & EXFLAG_KUSAGE) != 0;
    const uint32_t key_usage = X509_get_key_usage(x509.get());
    facts->key_usage_encipherment = (key_usage & KU_KEY_ENCIPHERMENT) != 0;
    facts->key_usage_agreement = (key_usage & KU_KEY_AGREEMENT) != 0;
    facts->has_extended_key_usage = (flags & EXFLAG_XKUSAGE) != 0;
    const uint32_t eku = X509_get_extended_key_usage(x509.get());
    facts->eku_email_protection = (eku & (XKU_SMIME | XKU_ANYEKU)) != 0;
    clear_openssl_errors();
    return Certificate(std::move(facts));
}

std::string Certificate::key_description() const {
    const auto& f = *m_facts;
    switch (f.key_kind) {
        case KeyKind::rsa:
            return "RSA " + std::to_string(f.key_bits);
        case KeyKind::rsa_pss:
            return "RSA-PSS " + std::to_string(f.key_bits);
        case KeyKind::ec:
            return "EC " + (f.key_curve.empty() ? std::to_string(f.key_bits) + " (explicit curve)"
                                                : f.key_curve);
        case KeyKind::ed25519:
            return "Ed25519";
        case KeyKind::ed448:
            return "Ed448";
        case KeyKind::x25519:
            return "X25519";
        case KeyKind::x448:
            return "X448";
        case KeyKind::dsa:
            return "DSA " + std::to_string(f.key_bits);
        case KeyKind::other:
            break;
    }
    return f.key_algorithm + (f.key_bits > 0 ? " " + std::to_string(f.key_bits) : "");
}

std::string Certificate::display_name() const {
    return m_facts->addresses.empty() ? m_facts->subject : m_facts->addresses.front();
}

}  // namespace casecrypt::crypto
