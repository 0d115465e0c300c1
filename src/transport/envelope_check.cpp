#include "transport/envelope_check.h"

#include <algorithm>

namespace casecrypt::transport {
namespace {

bool usable_address(const std::string& address) {
    return std::none_of(address.begin(), address.end(), [](char c) {
        const auto u = static_cast<unsigned char>(c);
        return u < 0x20 || u == 0x7f || c == '<' || c == '>';
    });
}

}  // namespace

Result<void> check_envelope(const Envelope& envelope) {
    if (!usable_address(envelope.from)) {
        return fail(Errc::usage, "the sender address holds a control character or '<', '>'");
    }
    if (envelope.recipients.empty()) {
        return fail(Errc::usage, "the envelope has no recipient");
    }
    for (const std::string& recipient : envelope.recipients) {
        if (recipient.empty() || !usable_address(recipient)) {
            return fail(Errc::usage,
                        "a recipient address is empty or holds a control character or '<', '>'");
        }
    }
    return {};
}

}  // namespace casecrypt::transport
