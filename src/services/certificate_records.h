// Between the store's CertificateRecord and the services' CertificateView (internal to the
// services: edges only see the view). Stateless functions; thread-safe.
#pragma once

#include "core/clock.h"
#include "services/certificate_view.h"
#include "store/certificate_record.h"

namespace casecrypt::services {

store::CertificateKind to_store(CertificateKind kind);
store::CertificateSource to_store(CertificateSource source);

// The view of a stored certificate, its status judged at `now`. Fields the row lacks (trust
// anchors moved from their old table kept no issuer, serial or start date) are read from its
// DER.
CertificateView to_view(const store::CertificateRecord& record, TimePoint now);

}  // namespace casecrypt::services
