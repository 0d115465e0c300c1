// UniqueFd lives in core (core/unique_fd.h) since core's OutputFile needs it too; this name
// stays for the transport code that uses it.
#pragma once

#include "core/unique_fd.h"

namespace casecrypt::transport {

using casecrypt::UniqueFd;

}  // namespace casecrypt::transport
