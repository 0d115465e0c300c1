#include "store/guarded.h"

#include <soci/soci.h>

#include "core/text.h"

namespace casecrypt::store {

Error database_error(const std::string& context, const std::exception& exception) {
    const auto* soci_error = dynamic_cast<const soci::soci_error*>(&exception);
    const std::string reason =
        soci_error != nullptr ? soci_error->get_error_message() : exception.what();
    return Error(Errc::io, "database error while " + context + ": " + fold_lines(reason));
}

}  // namespace casecrypt::store
