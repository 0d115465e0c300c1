#include "services/send_report.h"

namespace casecrypt::services {

std::string to_string(SendDecision decision) {
    switch (decision) {
        case SendDecision::encrypted:
            return "encrypted";
        case SendDecision::unencrypted_missing_certificate:
        case SendDecision::unencrypted_not_requested:
        case SendDecision::unencrypted_switched_off:
            return "unencrypted";
        case SendDecision::rejected:
            return "rejected";
        case SendDecision::queued_again:
            return "queued again";
    }
    return "unencrypted";
}

std::string to_string(RecipientKind kind) {
    switch (kind) {
        case RecipientKind::to:
            return "to";
        case RecipientKind::cc:
            return "cc";
        case RecipientKind::bcc:
            return "bcc";
    }
    return "to";
}

std::string to_string(RecipientOutcome outcome) {
    switch (outcome) {
        case RecipientOutcome::encrypted:
            return "encrypted";
        case RecipientOutcome::unencrypted_no_certificate:
            return "sent unencrypted: no certificate";
        case RecipientOutcome::unencrypted_other_lacks_certificate:
            return "sent unencrypted: another recipient has no certificate";
        case RecipientOutcome::unencrypted_not_requested:
            return "sent unencrypted: encryption not requested or switched off";
        case RecipientOutcome::rejected_no_certificate:
            return "rejected: no certificate";
        case RecipientOutcome::rejected_other_lacks_certificate:
            return "rejected: another recipient has no certificate";
        case RecipientOutcome::no_certificate:
            return "no certificate";
    }
    return "no certificate";
}

std::string to_string(UsedCertificate::Source source) {
    switch (source) {
        case UsedCertificate::Source::server:
            return "server";
        case UsedCertificate::Source::store:
            return "store";
        case UsedCertificate::Source::ldap:
            return "ldap";
    }
    return "store";
}

std::string to_string(OutboxState state) {
    switch (state) {
        case OutboxState::queued:
            return "queued";
        case OutboxState::sending:
            return "sending";
        case OutboxState::sent:
            return "sent";
        case OutboxState::failed:
            return "failed";
        case OutboxState::rejected:
            return "rejected";
    }
    return "queued";
}

}  // namespace casecrypt::services
