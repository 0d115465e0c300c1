#include "services/key_ring.h"

namespace casecrypt::services {

using crypto::Certificate;
using store::CertificateKind;

Result<crypto::TrustAnchors> KeyRing::trust_anchors() {
    auto cas = m_store.list(CertificateKind::ca);
    if (!cas) {
        return std::unexpected(cas.error());
    }
    crypto::TrustAnchors anchors;
    for (const auto& r : *cas) {
        if (auto c = Certificate::from_der(r.der)) {
            anchors.extra.push_back(std::move(*c));
        }
    }
    auto clients = m_store.list(CertificateKind::client);
    if (!clients) {
        return std::unexpected(clients.error());
    }
    for (const auto& r : *clients) {
        if (auto c = Certificate::from_der(r.der)) {
            anchors.known_signers.push_back(std::move(*c));
        }
    }
    return anchors;
}

Result<std::vector<crypto::DecryptionIdentity>> KeyRing::decryption_identities() {
    auto servers = m_store.list(CertificateKind::server);
    if (!servers) {
        return std::unexpected(servers.error());
    }
    std::vector<crypto::DecryptionIdentity> identities;
    for (const auto& record : *servers) {
        auto certificate = Certificate::from_der(record.der);
        if (!certificate || !record.has_private_key) {
            continue;
        }
        const long long id = record.id;
        const std::string fingerprint = record.fingerprint_sha256;
        identities.push_back({std::move(*certificate), [this, id, fingerprint]() -> Result<Secret> {
                                  auto sealed = m_store.sealed_private_key(id);
                                  if (!sealed) {
                                      return std::unexpected(sealed.error());
                                  }
                                  if (!*sealed) {
                                      return fail(Errc::internal, "server certificate " +
                                                                      std::to_string(id) +
                                                                      " has no private key");
                                  }
                                  return m_vault.unseal(**sealed, fingerprint);
                              }});
    }
    return identities;
}

}  // namespace casecrypt::services
