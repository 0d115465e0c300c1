// KeyRing: the stored certificates as the code that encrypts, decrypts and verifies needs them
// (internal to the services: it hands out crypto types; edges use CertificateAdmin's views).
// Server identities for decryption, with the key unsealed only when a RecipientInfo names it;
// trust anchors (certificates of kind ca) and recipients' certificates as known signers.
// Not thread-safe (one database connection); make one per thread.
#pragma once

#include <vector>

#include "core/error.h"
#include "crypto/cms_envelope.h"
#include "crypto/key_vault.h"
#include "crypto/signature_verifier.h"
#include "store/certificate_store.h"

namespace casecrypt::services {

class KeyRing {
public:
    KeyRing(store::CertificateStore& store, const crypto::KeyVault& vault)
        : m_store(store), m_vault(vault) {}

    // Every server identity, for decryption.
    Result<std::vector<crypto::DecryptionIdentity>> decryption_identities();
    // CA certificates trusted besides the system bundle, and recipients' certificates that may
    // have signed a message that does not carry them.
    Result<crypto::TrustAnchors> trust_anchors();

private:
    store::CertificateStore& m_store;
    const crypto::KeyVault& m_vault;
};

}  // namespace casecrypt::services
