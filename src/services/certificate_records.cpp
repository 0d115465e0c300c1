#include "services/certificate_records.h"

#include "crypto/certificate.h"

namespace casecrypt::services {
namespace {

CertificateKind from_store(store::CertificateKind kind) {
    switch (kind) {
        case store::CertificateKind::server:
            return CertificateKind::server;
        case store::CertificateKind::client:
            return CertificateKind::client;
        case store::CertificateKind::ca:
            return CertificateKind::ca;
    }
    return CertificateKind::client;
}

CertificateSource from_store(store::CertificateSource source) {
    switch (source) {
        case store::CertificateSource::file:
            return CertificateSource::file;
        case store::CertificateSource::ldap:
            return CertificateSource::ldap;
        case store::CertificateSource::harvested:
            return CertificateSource::harvested;
    }
    return CertificateSource::file;
}

CertificateStatus status_at(TimePoint not_before, TimePoint not_after, TimePoint now) {
    if (now < not_before) {
        return CertificateStatus::not_yet_valid;
    }
    return now > not_after ? CertificateStatus::expired : CertificateStatus::valid;
}

}  // namespace

store::CertificateKind to_store(CertificateKind kind) {
    switch (kind) {
        case CertificateKind::server:
            return store::CertificateKind::server;
        case CertificateKind::client:
            return store::CertificateKind::client;
        case CertificateKind::ca:
            return store::CertificateKind::ca;
    }
    return store::CertificateKind::client;
}

store::CertificateSource to_store(CertificateSource source) {
    switch (source) {
        case CertificateSource::file:
            return store::CertificateSource::file;
        case CertificateSource::ldap:
            return store::CertificateSource::ldap;
        case CertificateSource::harvested:
            return store::CertificateSource::harvested;
    }
    return store::CertificateSource::file;
}

CertificateView to_view(const store::CertificateRecord& r, TimePoint now) {
    CertificateView view{.id = r.id,
                         .kind = from_store(r.kind),
                         .addresses = r.addresses,
                         .subject = r.subject,
                         .issuer = r.issuer,
                         .serial = r.serial,
                         .not_before = r.not_before,
                         .not_after = r.not_after,
                         .fingerprint_sha256 = r.fingerprint_sha256,
                         .key_description = r.key_description,
                         .source = from_store(r.source),
                         .status = CertificateStatus::valid,
                         .has_private_key = r.has_private_key,
                         .created_at = r.created_at,
                         .created_by = r.created_by};
    if (view.serial.empty() && !r.der.empty()) {
        if (auto c = crypto::Certificate::from_der(r.der)) {
            view.issuer = c->issuer();
            view.serial = c->serial();
            view.not_before = c->not_before();
            view.key_description = c->key_description();
        }
    }
    view.status = status_at(view.not_before, view.not_after, now);
    return view;
}

}  // namespace casecrypt::services
