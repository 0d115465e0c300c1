// DecryptReport: what decrypting an S/MIME message found (encryption, signature, the parts of a
// message that mixes encrypted and plain parts), as values an edge serialises. Cipher names are
// the ones `mail encrypt --cipher` and the property mail.encryption.cipher use. Values.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace casecrypt::services {

struct SignatureInfo {
    bool valid = false;
    bool trusted = false;
    bool matches_from = false;
    std::string signer;  // the signer's first address, or subject when it has none
    std::string signer_subject;
    std::string signer_sha256;
    std::string problem;
};

// One part of a message that mixes encrypted and plain parts (the EFAIL pattern): each is
// reported on its own and never merged into one text.
struct PartReport {
    int index = 0;
    std::string content_type;
    bool encrypted = false;
    bool decrypted = false;
    std::optional<std::string> text;
    std::string error;
};

struct DecryptReport {
    bool encrypted = false;
    std::string content_cipher;
    bool integrity_protected = false;
    std::string certificate_sha256;  // the server certificate that decrypted it
    std::optional<SignatureInfo> signature;
    std::string subject;  // the real one (protected headers replace the outer placeholder)
    bool protected_headers = false;
    std::optional<std::string> text;
    bool mixed_parts = false;  // the EFAIL pattern: see parts
    std::vector<PartReport> parts;
    int layers = 0;
};

}  // namespace casecrypt::services
