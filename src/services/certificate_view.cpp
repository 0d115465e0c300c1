#include "services/certificate_view.h"

namespace casecrypt::services {

std::string to_string(CertificateKind kind) {
    switch (kind) {
        case CertificateKind::server:
            return "server";
        case CertificateKind::client:
            return "client";
        case CertificateKind::ca:
            return "ca";
    }
    return "client";
}

std::string to_string(CertificateSource source) {
    switch (source) {
        case CertificateSource::file:
            return "file";
        case CertificateSource::ldap:
            return "ldap";
        case CertificateSource::harvested:
            return "harvested";
    }
    return "file";
}

std::string to_string(CertificateStatus status) {
    switch (status) {
        case CertificateStatus::valid:
            return "valid";
        case CertificateStatus::expired:
            return "expired";
        case CertificateStatus::not_yet_valid:
            return "not_yet_valid";
    }
    return "valid";
}

std::string to_string(ResolvedFrom from) {
    switch (from) {
        case ResolvedFrom::server:
            return "server";
        case ResolvedFrom::store:
            return "store";
        case ResolvedFrom::ldap:
            return "ldap";
    }
    return "store";
}

}  // namespace casecrypt::services
